using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace TokenBroker.IntegrationTests.Client;

/// <summary>
/// Sits in front of a broker host's pipeline and records every call to the token route with the headers the client sent, so
/// a test counts broker calls rather than authorization server calls (the broker has a cache of its own). It can also hold
/// calls until released, to catch the client with a call in flight.
/// </summary>
internal sealed class BrokerProbe : IStartupFilter
{
    private readonly ConcurrentQueue<ProbedCall> _calls = new();
    private TaskCompletionSource? _release;

    public int Count => _calls.Count;

    public IReadOnlyList<ProbedCall> Calls => [.. _calls];

    /// <summary>Completed when a held call has arrived.</summary>
    public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the client went away from a held call.</summary>
    public TaskCompletionSource Aborted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds the probe to a broker's services, for <see cref="IntegrationFixture.StartBrokerAsync"/>.</summary>
    public void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter>(this);

    /// <summary>Holds the calls that arrive from now on until <see cref="Release"/>.</summary>
    public void Hold()
    {
        Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        var release = _release;
        _release = null;
        release?.TrySetResult();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(InvokeAsync);
        next(app);
    };

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/api/token"))
        {
            _calls.Enqueue(new ProbedCall(context.Request.Headers.Authorization.ToString(), context.Request.Headers["x-functions-key"].ToString()));
            if (_release is { } release)
            {
                Arrived.TrySetResult();
                try
                {
                    await release.Task.WaitAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Aborted.TrySetResult();
                    return;
                }
            }
        }

        await next(context);
    }
}

/// <summary>What one call to the token route carried.</summary>
internal sealed record ProbedCall(string Authorization, string FunctionKey);
