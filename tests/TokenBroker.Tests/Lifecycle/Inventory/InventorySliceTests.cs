using Azure;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TokenBroker.Connections;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Tests.Lifecycle.Inventory;

/// <summary>
/// The slice's budget on a fake clock: Moq over <see cref="SecretClient"/> (each version listing moves the clock, as a
/// slow vault would) and over <see cref="TableClient"/> (transactions recorded). Happy paths only: a transaction the
/// table refuses is tested on Azurite with a real refused connection (IntegrationTests/Lifecycle/Inventory).
/// </summary>
public sealed class InventorySliceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
    private readonly Mock<SecretClient> _vault = new();
    private readonly Mock<TableClient> _table = new();
    private readonly List<string[]> _transactions = [];
    private TimeSpan _listingTakes = TimeSpan.Zero;

    public InventorySliceTests()
    {
        _vault.Setup(v => v.GetPropertiesOfSecretVersionsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string name, CancellationToken _) =>
            {
                _time.Advance(_listingTakes);
                var version = SecretModelFactory.SecretProperties(new Uri($"https://vault.vault.azure.net/secrets/{name}/v1"), name: name, version: "v1", createdOn: _time.GetUtcNow().AddDays(-1));
                version.Enabled = true;
                version.ExpiresOn = _time.GetUtcNow().AddDays(90);
                return AsyncPageable<SecretProperties>.FromPages([Page<SecretProperties>.FromValues([version], null, Mock.Of<Response>())]);
            });
        _table.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .Returns((IEnumerable<TableTransactionAction> actions, CancellationToken _) =>
            {
                var rows = actions.ToArray();
                Assert.All(rows, a => Assert.Equal(TableTransactionActionType.UpsertReplace, a.ActionType));
                Assert.All(rows, a => Assert.Equal(InventoryStore.Partition, a.Entity.PartitionKey));
                _transactions.Add([.. rows.Select(a => a.Entity.RowKey)]);
                return Task.FromResult(Response.FromValue<IReadOnlyList<Response>>([], Mock.Of<Response>()));
            });
    }

    [Fact]
    public async Task Reads_stop_once_the_budget_is_spent_and_the_rest_wait_for_the_next_run()
    {
        // One read at a time, each a second long: reads start at 0, 1 and 2 s of a 3-second budget, none at 3 s.
        var due = Due(20);
        _listingTakes = TimeSpan.FromSeconds(1);

        var result = await Slice(new InventoryOptions { MaxRunTime = TimeSpan.FromSeconds(3), MaxParallelReads = 1 }).TakeAsync(due, CancellationToken.None);

        Assert.Equal(due.Take(3).Select(c => c.Name), result.Written.Select(w => w.Connection.Name));
        Assert.Equal([[.. due.Take(3).Select(InventorySchedule.RowKey)]], _transactions);
        Assert.Equal(0, result.Failed);
        Assert.All(result.Written, w => Assert.Empty(w.Inventory.Flags));
    }

    [Fact]
    public async Task A_run_reads_at_most_MaxReadsPerRun_connections_and_writes_them_in_transactions_of_at_most_100()
    {
        var due = Due(250);

        var result = await Slice(new InventoryOptions { MaxReadsPerRun = 230 }).TakeAsync(due, CancellationToken.None);

        Assert.Equal(230, result.Written.Count);
        Assert.Equal(due.Take(230).Select(c => c.Name).Order(StringComparer.Ordinal), result.Written.Select(w => w.Connection.Name).Order(StringComparer.Ordinal));
        Assert.Equal([100, 100, 30], _transactions.Select(t => t.Length));
        Assert.Equal(230, _transactions.SelectMany(t => t).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Nothing_due_reads_nothing_and_writes_no_transaction()
    {
        var result = await Slice(new InventoryOptions()).TakeAsync([], CancellationToken.None);

        Assert.Empty(result.Written);
        Assert.Empty(_transactions);
        _vault.Verify(v => v.GetPropertiesOfSecretVersionsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private static List<Connection> Due(int count) => [.. InventoryTestConnections.Registry(count).All.OrderBy(c => c.Name, StringComparer.Ordinal)];

    private InventorySlice Slice(InventoryOptions options)
    {
        var reader = new CredentialInventoryReader(
            new Lazy<SecretClient>(_vault.Object),
            new Lazy<CertificateClient>(Mock.Of<CertificateClient>()),
            new Lazy<AppRegistrationClient>(() => throw new InvalidOperationException("No connection here is an Entra ID one.")),
            _time,
            options);
        return new InventorySlice(reader, new InventoryStore(_table.Object), _time, Options.Create(options), NullLogger<InventorySlice>.Instance);
    }
}
