using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace TokenBroker.Tests.Support;

internal sealed class TestEnvironment(string name) : IHostEnvironment
{
    public static TestEnvironment Development { get; } = new(Environments.Development);

    public static TestEnvironment Production { get; } = new(Environments.Production);

    public string EnvironmentName { get; set; } = name;

    public string ApplicationName { get; set; } = "TokenBroker.Tests";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
