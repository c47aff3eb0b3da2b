using Azure;
using Azure.Core;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using TokenBroker.Rotation;

namespace TokenBroker.Host;

/// <summary>
/// Feeds the rotation queue to the same <see cref="SecretEventProcessor"/> the Functions queue trigger calls, with the
/// trigger's semantics: a message is deleted once handled, delivered again after a failure, and moved to the poison
/// queue once it has failed <see cref="RotationQueueOptions.MaxDequeueCount"/> times.
/// </summary>
internal sealed partial class RotationQueuePump(
    SecretEventProcessor processor,
    IOptions<RotationQueueOptions> options,
    IServiceProvider services,
    ILogger<RotationQueuePump> logger) : BackgroundService
{
    private readonly RotationQueueOptions _options = options.Value;

    private TimeSpan VisibilityTimeout => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(_options.RetryDelay.TotalSeconds)));

    // Not async itself: an async method's state machine names the queue types, and loading it would load the queue SDK at
    // start-up in every host, also those with no queue configured.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _options.IsConfigured ? PumpAsync(stoppingToken) : Task.CompletedTask;

    private async Task PumpAsync(CancellationToken stoppingToken)
    {
        var (queue, poison) = CreateClients();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                messages = (await queue.ReceiveMessagesAsync(16, VisibilityTimeout, stoppingToken)).Value;
                failures = 0;
            }
            catch (Exception ex) when (IsQueueFailure(ex, stoppingToken))
            {
                // Not only RequestFailedException: after its retries Azure.Core throws AggregateException for network
                // failures. A hosted service that throws stops the whole host, and the host serves tokens: never throw.
                failures++;
                var wait = Backoff(failures);
                Log.QueueUnavailable(logger, _options.QueueName, ex.GetType().Name, ex is RequestFailedException failed ? failed.Status : 0, wait);
                await Task.Delay(wait, stoppingToken);
                continue;
            }

            foreach (var message in messages)
            {
                await HandleAsync(queue, poison, message, stoppingToken);
            }

            if (messages.Length == 0)
            {
                await Task.Delay(_options.PollInterval, stoppingToken);
            }
        }
    }

    private static bool IsQueueFailure(Exception ex, CancellationToken stoppingToken) =>
        ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested;

    // From the poll interval, doubling, to at most a minute: an outage is not hammered, and recovery is noticed soon.
    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, _options.PollInterval.Ticks * (1L << Math.Min(failures - 1, 16))));

    private async Task HandleAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await processor.HandleAsync(message.Body, stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception ex) when (IsQueueFailure(ex, stoppingToken))
        {
            Log.MessageFailed(logger, message.MessageId, message.DequeueCount, ex.GetType().Name);
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, stoppingToken);
            }
        }
    }

    // The storage that just failed the message may be failing these calls too: the message then comes back after its
    // visibility timeout and is moved on a later delivery.
    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            await poison.SendMessageAsync(message.Body, cancellationToken: stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            Log.MovedToPoison(logger, message.MessageId, poison.Name);
        }
        catch (Exception ex) when (IsQueueFailure(ex, stoppingToken))
        {
            Log.PoisonMoveFailed(logger, message.MessageId, poison.Name, ex.GetType().Name);
        }
    }

    private (QueueClient Queue, QueueClient Poison) CreateClients()
    {
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };

        // The pump polls again anyway: fewer, shorter retries inside one call let it log and back off sooner.
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(500);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            return (new QueueClient(_options.ConnectionString, _options.QueueName, clientOptions),
                new QueueClient(_options.ConnectionString, _options.QueueName + RotationQueueOptions.PoisonSuffix, clientOptions));
        }

        var credential = services.GetRequiredService<TokenCredential>();
        return (new QueueClient(new Uri(_options.ServiceUri!, _options.QueueName), credential, clientOptions),
            new QueueClient(new Uri(_options.ServiceUri!, _options.QueueName + RotationQueueOptions.PoisonSuffix), credential, clientOptions));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RotationMessageFailed, Level = LogLevel.Warning, Message = "Rotation queue message {MessageId} failed on delivery {DequeueCount}: {ErrorType}")]
        public static partial void MessageFailed(ILogger logger, string messageId, long dequeueCount, string errorType);

        [LoggerMessage(EventId = EventIds.RotationMessagePoisoned, Level = LogLevel.Error, Message = "Rotation queue message {MessageId} moved to {PoisonQueue} after repeated failures")]
        public static partial void MovedToPoison(ILogger logger, string messageId, string poisonQueue);

        [LoggerMessage(EventId = EventIds.RotationQueueUnavailable, Level = LogLevel.Warning, Message = "Rotation queue {Queue} unavailable ({ErrorType}, status {Status}); retrying in {Backoff}")]
        public static partial void QueueUnavailable(ILogger logger, string queue, string errorType, int status, TimeSpan backoff);

        [LoggerMessage(EventId = EventIds.RotationPoisonMoveFailed, Level = LogLevel.Warning, Message = "Rotation queue message {MessageId} could not be moved to {PoisonQueue} ({ErrorType}); it will be delivered again")]
        public static partial void PoisonMoveFailed(ILogger logger, string messageId, string poisonQueue, string errorType);
    }
}
