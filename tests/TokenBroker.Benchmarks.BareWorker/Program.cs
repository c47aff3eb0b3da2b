using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Benchmarks.BareWorker;
using TokenBroker.Functions.Hosting;

// The least an isolated worker with the ASP.NET Core integration does before its first response: the broker's Program.cs
// without the broker (the same start order, web server first, so neither pays the host's retried forwards). Like the bench's
// bare app, it reads the seeded token response once, at start-up.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSingleton(SeededTokenResponse.Read(builder.Configuration));
builder.Services.StartWebServerFirst();
builder.Build().Run();
