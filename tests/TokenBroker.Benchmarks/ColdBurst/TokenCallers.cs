using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// The load generator: callers POSTing to the brokers' token route with no body (the connection's default scopes), each
/// timing its own request. One connection pool, with room for every caller at once, serves all hosts.
/// </summary>
internal sealed class TokenCallers : IDisposable
{
    private readonly HttpClient _http;
    private int _connectionsOpened;

    public TokenCallers(int maxConcurrency)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConcurrency,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Http => _http;

    /// <summary>TCP connections opened so far: a measured burst that opens none pays no handshakes.</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public async Task<CallerSample> CallAsync(int host, Uri route)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.PostAsync(route, content: null);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new CallerSample(host, Stopwatch.GetElapsedTime(started).TotalMilliseconds, (int)response.StatusCode, body);
    }

    /// <summary>
    /// <paramref name="callers"/> requests for <paramref name="connection"/>, spread round-robin over the hosts and released
    /// together: every one is in flight before the first token can exist. <c>Released</c> is the <see cref="Stopwatch"/>
    /// timestamp of the release.
    /// </summary>
    public async Task<(CallerSample[] Samples, TimeSpan Elapsed, long Released)> BurstAsync(IReadOnlyList<BrokerHostInstance> hosts, string connection, int callers)
    {
        var routes = hosts.Select(host => host.TokenRoute(connection)).ToArray();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, callers).Select(async caller =>
        {
            await gate.Task;
            return await CallAsync(caller % routes.Length, routes[caller % routes.Length]);
        }).ToArray();
        var started = Stopwatch.GetTimestamp();
        gate.SetResult();
        var samples = await Task.WhenAll(calls);
        return (samples, Stopwatch.GetElapsedTime(started), started);
    }

    public static bool Succeeded(CallerSample sample) => sample.Status == (int)HttpStatusCode.OK && AccessToken(sample) is not null;

    public static string? AccessToken(CallerSample sample)
    {
        if (sample.Body.Length == 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(sample.Body);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("access_token", out var token)
            ? token.GetString()
            : null;
    }

    public void Dispose() => _http.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connectionsOpened);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
