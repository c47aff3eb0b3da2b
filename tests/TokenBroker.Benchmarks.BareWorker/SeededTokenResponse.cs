using Microsoft.Extensions.Configuration;

namespace TokenBroker.Benchmarks.BareWorker;

/// <summary>The token response the bench seeded, as bytes: what every answer of the bare worker carries.</summary>
/// <param name="Body">The response body, JSON.</param>
internal sealed record SeededTokenResponse(byte[] Body)
{
    /// <summary>The app setting naming the file the bench wrote the response to.</summary>
    public const string BodyFileSetting = "BareWorker:BodyFile";

    public static SeededTokenResponse Read(IConfiguration configuration) =>
        new(File.ReadAllBytes(configuration[BodyFileSetting]
            ?? throw new InvalidOperationException($"The app setting {BodyFileSetting} is not set.")));
}
