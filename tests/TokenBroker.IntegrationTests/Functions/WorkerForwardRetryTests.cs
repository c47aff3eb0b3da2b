using System.Net;
using System.Net.Sockets;
using System.Text;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>
/// The stand-in host forwards to a worker listener that does not accept yet as Azure's host does: it retries a refused
/// connection (10 attempts, 50 ms doubling to 250 ms) instead of answering the caller's first request with a 500.
/// A real refusal on loopback: a free port with nothing listening, and a listener opened only once the first forward
/// was refused, so nothing depends on how fast the machine is.
/// </summary>
public sealed class WorkerForwardRetryTests
{
    [Fact]
    public async Task A_forward_refused_before_the_workers_listener_accepts_is_retried_and_answered()
    {
        var port = FreePort.Next();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new WorkerForwardRetryHandler(new SocketsHttpHandler(), (_, ex) =>
        {
            Assert.Equal(HttpRequestError.ConnectionError, ex.HttpRequestError);
            if (!listening.Task.IsCompleted)
            {
                listener.Start(); // before the retry's delay: the next attempt finds it
                listening.SetResult();
            }
        });
        using var client = new HttpClient(handler);

        var answering = AnswerOnceAsync(listener, listening.Task);
        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{port}/api/token/demo"), new ByteArrayContent([]));
        await answering;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, handler.Retries);
    }

    [Fact]
    public async Task A_worker_that_never_listens_fails_the_forward_after_ten_attempts()
    {
        var port = FreePort.Next();
        using var handler = new WorkerForwardRetryHandler(new SocketsHttpHandler());
        using var client = new HttpClient(handler);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/api/health")));

        Assert.Equal(HttpRequestError.ConnectionError, failure.HttpRequestError);
        Assert.Equal(WorkerForwardRetryHandler.MaxAttempts - 1, handler.Retries);
    }

    // A minimal HTTP/1.1 server for one request: enough to show the retried forward reached a listener.
    private static async Task AnswerOnceAsync(TcpListener listener, Task listening)
    {
        await listening.WaitAsync(TimeSpan.FromSeconds(30));
        using var connection = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var stream = connection.GetStream();
        var buffer = new byte[4096];
        var request = new StringBuilder();
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
    }
}
