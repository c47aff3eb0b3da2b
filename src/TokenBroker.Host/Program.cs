using TokenBroker.Host;

var app = BrokerHost.Build(BrokerHost.CreateBuilder(args));
app.Run();
