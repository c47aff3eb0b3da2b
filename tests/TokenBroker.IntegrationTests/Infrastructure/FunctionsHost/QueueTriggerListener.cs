using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost.Rpc;

namespace TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

/// <summary>
/// The host's queue trigger for one function: it polls the queue named in the binding, on the storage account of the
/// binding's connection setting, and invokes the function with each message. A success deletes the message. A failure
/// leaves it for another delivery after host.json's <c>visibilityTimeout</c>, until it has been dequeued
/// <c>maxDequeueCount</c> times; then it is copied to <c>&lt;queue&gt;-poison</c> and deleted, as the Functions runtime does.
/// </summary>
public sealed class QueueTriggerListener : IAsyncDisposable
{
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(2);

    private readonly FunctionsHost _host;
    private readonly WorkerFunction _function;
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<QueueDelivery> _deliveries = new();

    private QueueTriggerListener(FunctionsHost host, WorkerFunction function, QueueClient queue, QueueClient poison)
    {
        _host = host;
        _function = function;
        _queue = queue;
        _poison = poison;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public QueueClient Queue => _queue;

    public QueueClient PoisonQueue => _poison;

    /// <summary>Every delivery so far, with its dequeue count and outcome.</summary>
    public IReadOnlyList<QueueDelivery> Deliveries => [.. _deliveries];

    public static async Task<QueueTriggerListener> StartAsync(FunctionsHost host, string functionName)
    {
        var function = host.Function(functionName, "queueTrigger");
        var connection = host.Setting(function.Property("connection") ?? "AzureWebJobsStorage")
            ?? throw new InvalidOperationException($"The connection setting of {functionName} is not set.");
        var options = new QueueClientOptions
        {
            MessageEncoding = string.Equals(host.HostJson.MessageEncoding, "none", StringComparison.OrdinalIgnoreCase) ? QueueMessageEncoding.None : QueueMessageEncoding.Base64,
        };
        var name = function.Property("queueName")!;
        var queue = new QueueClient(connection, name, options);
        var poison = new QueueClient(connection, name + "-poison", options);
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        return new QueueTriggerListener(host, function, queue, poison);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // The host hides a message for the length of the invocation (and renews that); visibilityTimeout applies after a failure.
                QueueMessage[] messages = await _queue.ReceiveMessagesAsync(maxMessages: 8, ProcessingVisibility, cancellationToken);
                if (messages.Length == 0)
                {
                    await Task.Delay(100, cancellationToken);
                    continue;
                }

                foreach (var message in messages)
                {
                    await ProcessAsync(message, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var delivery = new QueueDelivery(message.MessageId, message.PopReceipt, message.DequeueCount, message.InsertedOn, message.Body);
        _deliveries.Enqueue(delivery);
        InvocationResponse response;
        try
        {
            response = await _host.InvokeQueueAsync(_function.Name, delivery, cancellationToken);
        }
        catch (IOException)
        {
            // The worker went away mid-invocation: the message becomes visible again after its timeout.
            return;
        }

        delivery.Succeeded = response.Result?.Status == StatusResult.Types.Status.Success;
        if (delivery.Succeeded == true)
        {
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        else if (message.DequeueCount >= _host.HostJson.MaxDequeueCount)
        {
            await _poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        else
        {
            await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _host.HostJson.VisibilityTimeout, cancellationToken: cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
