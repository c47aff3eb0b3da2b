using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// A stand-in for the Azure Functions host, for the suite (Functions Core Tools cannot be installed here). It serves the
/// host's side of the gRPC protocol on loopback, starts the built <c>TokenBroker.Functions.dll</c> as a child process,
/// and performs the host's handshake: <c>StartStream</c>, <c>WorkerInitRequest</c> (reading the capabilities, including
/// the ASP.NET Core integration's <c>HttpUri</c>), <c>FunctionsMetadataRequest</c> (worker indexing) and one
/// <c>FunctionLoadRequest</c> per reported function. Callers then reach HTTP functions through the host's own front end
/// (<see cref="Client"/>), which forwards each request to the worker's URI with the <c>x-ms-invocation-id</c> header while
/// it sends the matching <c>InvocationRequest</c>; timers and queues are invoked with the host's payloads.
/// </summary>
public sealed partial class FunctionsHost : IAsyncDisposable
{
    /// <summary>The header the ASP.NET Core integration correlates a forwarded request with its invocation by.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>The capability in which the worker reports where its ASP.NET Core server listens.</summary>
    public const string HttpUriCapability = "HttpUri";

    private const string HostVersion = "4.1040.0.0";

    private readonly WebApplication _app;
    private readonly WorkerChannel _channel;
    private readonly ILogger _logger;
    private readonly HttpClient _toWorker;
    private readonly WorkerForwardRetryHandler _forwardRetry;
    private readonly List<(WorkerFunction Function, TemplateMatcher Matcher)> _routes = [];
    private readonly Dictionary<string, string?> _settings;
    private readonly string _functionKey;

    private FunctionsHost(WebApplication app, WorkerChannel channel, WorkerProcess worker, ILogger logger, Uri frontEnd, Dictionary<string, string?> settings, string functionKey)
    {
        _functionKey = functionKey;
        _app = app;
        _channel = channel;
        Worker = worker;
        _logger = logger;
        _settings = settings;
        _forwardRetry = new WorkerForwardRetryHandler(
            new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false },
            (attempt, ex) => Log.ForwardRetried(logger, attempt, WorkerForwardRetryHandler.MaxAttempts, ex.HttpRequestError));
        _toWorker = new HttpClient(_forwardRetry) { Timeout = TimeSpan.FromSeconds(100) };
        Client = new HttpClient { BaseAddress = frontEnd };
        HostJson = HostJson.Read(Path.Combine(WorkerProcess.AppDirectory, "host.json"), settings);
    }

    /// <summary>The worker process.</summary>
    public WorkerProcess Worker { get; }

    /// <summary>A client of the host's HTTP front end: what a caller of the Function App talks to.</summary>
    public HttpClient Client { get; }

    /// <summary>Forwards to the worker retried because its listener did not accept yet, as Azure's host retries them.</summary>
    public int ForwardRetries => _forwardRetry.Retries;

    /// <summary>What the worker answered to <c>WorkerInitRequest</c>.</summary>
    public WorkerInitResponse InitResponse { get; private set; } = null!;

    /// <summary>The functions the worker indexed and loaded, as it reported them.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    /// <summary>Where the worker's ASP.NET Core integration listens (its <c>HttpUri</c> capability).</summary>
    public Uri WorkerHttpUri { get; private set; } = null!;

    /// <summary>host.json as the host reads it, with <c>AzureFunctionsJobHost__…</c> app settings applied over it.</summary>
    public HostJson HostJson { get; }

    /// <summary>Every <c>RpcLog</c> the worker sent, oldest first.</summary>
    public IReadOnlyList<RpcLog> Logs => [.. _logs];

    private readonly System.Collections.Concurrent.ConcurrentQueue<RpcLog> _logs = new();

    /// <summary>
    /// Starts the host and the worker and completes the handshake. <paramref name="settings"/> are the app settings, passed
    /// to the worker as environment variables (<c>:</c> becomes <c>__</c>, as on App Service).
    /// </summary>
    /// <exception cref="WorkerStartupException">The worker exited or failed its init; the message carries what it wrote, as the host would log it.</exception>
    public static async Task<FunctionsHost> StartAsync(IReadOnlyDictionary<string, string?> settings, ILoggerProvider logs, string functionKey, TimeSpan? startTimeout = null)
    {
        var logger = logs.CreateLogger("Host.Function.Console");
        var (grpcPort, frontPort) = (FreePort.Next(), FreePort.Next());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, frontPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton<WorkerChannels>();
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        FunctionsHost? started = null;
        app.Map("/{**path}", context => started is null ? Task.CompletedTask : started.ForwardAsync(context));

        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, requestId);
        app.Services.GetRequiredService<WorkerChannels>().Add(channel);
        await app.StartAsync();

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = WorkerProcess.AppDirectory,
            ["AzureWebJobsScriptRoot"] = WorkerProcess.AppDirectory,
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var hostEndpoint = new Uri($"http://127.0.0.1:{grpcPort}/");
        var worker = WorkerProcess.Start(hostEndpoint, workerId, requestId, environment, line => logger.LogInformation("LanguageWorkerConsoleLog {Line}", line));
        var host = new FunctionsHost(app, channel, worker, logger, new Uri($"http://127.0.0.1:{frontPort}/"), new(settings), functionKey);
        channel.OnLog = log =>
        {
            host._logs.Enqueue(log);
            logger.Log(ToLevel(log.Level), "{Category} {Message} {Exception}", log.Category, log.Message, log.Exception?.Message);
        };
        started = host;
        try
        {
            using var timeout = new CancellationTokenSource(startTimeout ?? TimeSpan.FromSeconds(60));
            await host.HandshakeAsync(timeout.Token);
            return host;
        }
        catch (Exception ex) when (ex is not WorkerStartupException)
        {
            var output = worker.Output;
            await host.DisposeAsync();
            throw new WorkerStartupException($"The worker did not start: {ex.Message}\n{output[Math.Max(0, output.Length - 4000)..]}", output, ex);
        }
    }

    // The host's start-up sequence for a worker that indexes its own functions (worker.config.json: workerIndexing).
    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAny(_channel.Connected, Worker.Exited).WaitAsync(cancellationToken);
        if (!_channel.Connected.IsCompletedSuccessfully)
        {
            await Worker.Exited;
            throw new WorkerStartupException($"The worker exited with code {Worker.ExitCode} before it connected:\n{Worker.Output}", Worker.Output);
        }

        var init = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = WorkerProcess.AppDirectory };
        foreach (var capability in new[] { "RpcHttpBodyOnly", "RpcHttpTriggerMetadataRemoved", "IgnoreEmptyValuedRpcHttpHeaders", "RawHttpBodyBytes", "TypedDataCollection", "HandlesWorkerTerminateMessage" })
        {
            init.Capabilities[capability] = "true";
        }

        InitResponse = await _channel.InitializeAsync(init, cancellationToken);
        if (InitResponse.Result?.Status != StatusResult.Types.Status.Success)
        {
            throw new WorkerStartupException($"WorkerInitResponse failed: {InitResponse.Result?.Exception?.Message ?? InitResponse.Result?.Result}", Worker.Output);
        }

        WorkerHttpUri = InitResponse.Capabilities.TryGetValue(HttpUriCapability, out var uri)
            ? new Uri(uri)
            : throw new WorkerStartupException("The worker reported no HttpUri: the ASP.NET Core integration is not on.", Worker.Output);

        var metadata = await _channel.RequestMetadataAsync(WorkerProcess.AppDirectory, cancellationToken);
        if (metadata.Result?.Status != StatusResult.Types.Status.Success || metadata.UseDefaultMetadataIndexing)
        {
            throw new WorkerStartupException($"Worker indexing failed: {metadata.Result?.Exception?.Message}", Worker.Output);
        }

        var functions = metadata.FunctionMetadataResults.Select(WorkerFunction.From).ToList();
        foreach (var function in functions)
        {
            var load = await _channel.LoadAsync(new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function.Metadata }, cancellationToken);
            if (load.Result?.Status != StatusResult.Types.Status.Success)
            {
                throw new WorkerStartupException($"Loading {function.Name} failed: {load.Result?.Exception?.Message}", Worker.Output);
            }

            if (function.IsHttp)
            {
                var template = TemplateParser.Parse($"{HostJson.RoutePrefix}/{function.Property("route") ?? function.Name}");
                _routes.Add((function, new TemplateMatcher(template, new RouteValueDictionary())));
            }
        }

        Functions = functions;
    }

    /// <summary>
    /// The host's HTTP path with the ASP.NET Core integration: the caller's request is forwarded to the worker's URI with
    /// the invocation id header, and the <c>InvocationRequest</c> for the same id goes over gRPC; the worker pairs them.
    /// </summary>
    private async Task ForwardAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        var values = new RouteValueDictionary();
        var match = _routes.FirstOrDefault(route =>
            route.Function.Methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase) && route.Matcher.TryMatch("/" + path, values));
        if (match.Function is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // The front end checks keys before the worker sees anything: anonymous functions need none, the others the
        // x-functions-key header or the code query parameter.
        if (!string.Equals(match.Function.Property("authLevel"), "Anonymous", StringComparison.OrdinalIgnoreCase)
            && !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(context.Request.Headers["x-functions-key"].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault() ?? string.Empty),
                Encoding.UTF8.GetBytes(_functionKey)))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        var http = new RpcHttp { Method = context.Request.Method, Url = $"{Client.BaseAddress!.GetLeftPart(UriPartial.Authority)}{context.Request.Path}{context.Request.QueryString}" };
        foreach (var (name, value) in values)
        {
            http.Params[name] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        }

        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = match.Function.FunctionId,
            TraceContext = new RpcTraceContext(),
            InputData = { new ParameterBinding { Name = match.Function.TriggerName, Data = new TypedData { Http = http } } },
        };

        // Route values are binding data: the worker binds a function's other parameters (connection) from the trigger metadata.
        foreach (var (name, value) in http.Params)
        {
            request.TriggerMetadata[name] = new TypedData { String = value };
        }
        var invocation = _channel.InvokeAsync(request, context.RequestAborted);

        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(WorkerHttpUri, $"{context.Request.Path}{context.Request.QueryString}"));
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, value) in context.Request.Headers)
        {
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value!) && forward.Content is not null)
            {
                forward.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value!);
            }
        }

        forward.Headers.Host = null;
        forward.Headers.Remove(InvocationIdHeader);
        forward.Headers.Add(InvocationIdHeader, invocationId);

        using var response = await _toWorker.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var result = await invocation;
        if (result.Result?.Status == StatusResult.Types.Status.Failure)
        {
            Log.InvocationFailed(_logger, match.Function.Name, invocationId, result.Result.Exception?.Message);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, value) in response.Headers.Concat(response.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = value.ToArray();
            }
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>Invokes a timer function with the timer info the host sends.</summary>
    public Task<InvocationResponse> InvokeTimerAsync(string functionName, bool isPastDue, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName, "timerTrigger");
        var timer = $$"""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"{{now.AddMinutes(-1):O}}","Next":"{{now.AddMinutes(1):O}}","LastUpdated":"{{now.AddMinutes(-1):O}}"},"IsPastDue":{{(isPastDue ? "true" : "false")}}}""";
        return InvokeAsync(function, new TypedData { Json = timer }, new Dictionary<string, TypedData>(), cancellationToken);
    }

    /// <summary>Invokes a queue function with one message as the host delivers it: the body, and its dequeue count in the trigger metadata.</summary>
    public Task<InvocationResponse> InvokeQueueAsync(string functionName, QueueDelivery message, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName, "queueTrigger");
        var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
        {
            // Non-string binding data goes as JSON (the worker refuses TypedData.Int in trigger metadata).
            ["DequeueCount"] = new() { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = message.MessageId },
            ["PopReceipt"] = new() { String = message.PopReceipt },
            ["InsertionTime"] = new() { Json = $"\"{message.InsertedOn:O}\"" },
            ["QueueTrigger"] = new() { String = message.Body.ToString() },
        };
        var trigger = function.SupportsDeferredBinding
            ? new TypedData { ModelBindingData = QueueMessageBindingData(message) }
            : new TypedData { Bytes = Google.Protobuf.ByteString.CopyFrom(message.Body.ToMemory().Span) };
        return InvokeAsync(function, trigger, metadata, cancellationToken);
    }

    // The queue extension's binding data: the message as JSON, which the worker's queue converters read (MessageId,
    // PopReceipt and MessageText are required) to build a QueueMessage or the BinaryData of its text.
    private static ModelBindingData QueueMessageBindingData(QueueDelivery message) => new()
    {
        Version = "1.0",
        Source = "AzureStorageQueues",
        ContentType = "application/json",
        Content = Google.Protobuf.ByteString.CopyFrom(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["MessageId"] = message.MessageId,
            ["PopReceipt"] = message.PopReceipt,
            ["MessageText"] = message.Body.ToString(),
            ["DequeueCount"] = message.DequeueCount,
            ["InsertedOn"] = message.InsertedOn,
        })),
    };

    public WorkerFunction Function(string name, string triggerType) =>
        Functions.SingleOrDefault(f => f.Name == name && string.Equals(f.TriggerType, triggerType, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"The worker reported no {triggerType} function {name}.");

    /// <summary>An app setting as the host resolves a <c>%name%</c> binding expression.</summary>
    public string? Setting(string name) => _settings.GetValueOrDefault(name);

    private Task<InvocationResponse> InvokeAsync(WorkerFunction function, TypedData trigger, IReadOnlyDictionary<string, TypedData> metadata, CancellationToken cancellationToken)
    {
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext(),
            InputData = { new ParameterBinding { Name = function.TriggerName, Data = trigger } },
        };
        foreach (var (name, value) in metadata)
        {
            request.TriggerMetadata[name] = value;
        }

        return _channel.InvokeAsync(request, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Worker.HasExited && _channel.Connected.IsCompletedSuccessfully)
        {
            // The host asks the worker to stop first and kills it only after the grace period.
            try
            {
                await _channel.TerminateAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or Grpc.Core.RpcException)
            {
                Worker.Kill();
            }
        }
        else
        {
            Worker.Kill();
        }

        await Worker.DisposeAsync();
        _channel.Close();
        _toWorker.Dispose();
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static LogLevel ToLevel(RpcLog.Types.Level level) => level switch
    {
        RpcLog.Types.Level.Trace => LogLevel.Trace,
        RpcLog.Types.Level.Debug => LogLevel.Debug,
        RpcLog.Types.Level.Information => LogLevel.Information,
        RpcLog.Types.Level.Warning => LogLevel.Warning,
        RpcLog.Types.Level.Error => LogLevel.Error,
        RpcLog.Types.Level.Critical => LogLevel.Critical,
        _ => LogLevel.None,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Error, Message = "Executed 'Functions.{Function}' (Failed, Id={InvocationId}): {Reason}")]
        public static partial void InvocationFailed(ILogger logger, string function, string invocationId, string? reason);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Failed to proxy request to the worker ({Error}). Attempt {Attempt} of {MaxAttempts}; retrying.")]
        public static partial void ForwardRetried(ILogger logger, int attempt, int maxAttempts, HttpRequestError error);
    }
}

/// <summary>The worker failed to start; <see cref="Output"/> is what it wrote to the console, which the host logs.</summary>
public sealed class WorkerStartupException(string message, string output, Exception? inner = null) : Exception(message, inner)
{
    public string Output { get; } = output;
}
