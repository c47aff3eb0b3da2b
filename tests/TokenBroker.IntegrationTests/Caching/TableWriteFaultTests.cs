using System.Net.Mime;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.IntegrationTests.Infrastructure.Faults;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>
/// A Table service that reads but will not write (a full account, a write-only outage, a role that was narrowed): the
/// real <c>TableClient</c> meets real 503 answers on loopback, and the shared tier is skipped, never the caller.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class TableWriteFaultTests(IntegrationFixture fixture)
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // A connection of this test only, so its log lines cannot be another test's.
    private const string Connection = "tablewrites";

    [Fact]
    public async Task A_table_that_fails_only_on_write_still_serves_the_token()
    {
        var reads = 0;
        var writes = 0;
        await using var table = await FaultServer.StartAsync(context =>
        {
            // Reads find nothing (the Table service's 404 for a missing entity); every write (create table, insert,
            // merge, upsert) is refused with 503, as a service that is up but cannot take writes answers.
            if (HttpMethods.IsGet(context.Request.Method))
            {
                Interlocked.Increment(ref reads);
                return Answer(context, StatusCodes.Status404NotFound, "ResourceNotFound", "The specified resource does not exist.");
            }

            Interlocked.Increment(ref writes);
            return Answer(context, StatusCodes.Status503ServiceUnavailable, "ServerBusy", "The server is busy.");
        }, https: false);
        var settings = fixture.BrokerSettings();
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("TokenBroker:Connections:demo:", StringComparison.Ordinal)).ToList())
        {
            settings[key.Replace(":demo:", $":{Connection}:", StringComparison.Ordinal)] = value;
        }

        settings["TokenBroker:TokenCache:ConnectionString"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint={table.Uri}devstoreaccount1;";
        await using var broker = await fixture.StartBrokerAsync(settings);

        var first = await broker.RequestTokenAsync(Connection);
        var second = await broker.RequestTokenAsync(Connection);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.True(Volatile.Read(ref reads) > 0, "the entity was never read");
        Assert.True(Volatile.Read(ref writes) > 0, "no write reached the table");
        var lines = fixture.Sink.Emitted;
        Assert.Contains(lines, line => line.StartsWith("Warning ", StringComparison.Ordinal)
            && line.Contains($"Token cache lease failed for connection {Connection}: RequestFailedException (status 503)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains($"Token cache write failed for connection {Connection}: RequestFailedException (status 503)", StringComparison.Ordinal));
    }

    private static Task Answer(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = MediaTypeNames.Application.Json;
        context.Response.Headers["x-ms-error-code"] = code;
        var body = new Dictionary<string, object> { ["odata.error"] = new { code, message = new { lang = "en-US", value = message } } };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
