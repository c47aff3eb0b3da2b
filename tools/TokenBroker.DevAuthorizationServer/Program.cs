using TokenBroker.DevAuthorizationServer;

var app = DevAuthorizationServerApp.Build(args);
app.Run();
