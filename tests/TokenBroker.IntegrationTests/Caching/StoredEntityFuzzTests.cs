using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Caching;
using TokenBroker.Connections;
using Xunit.Abstractions;

namespace TokenBroker.IntegrationTests.Caching;

/// <summary>
/// Entities as anyone who can write the table could leave them: randomly mutated types, values, chunk counts, dates,
/// ciphertext bytes, key ids, formats, missing and extra properties, and whole entities replayed from another row or
/// from the past. Written with the real TableClient into Azurite under a running broker; the broker must answer every
/// request with a token of the right row, unexpired and with the scope fetched, and heal every bad row on that request.
/// Seeded: a failure names the seed, and <c>TOKENBROKER_FUZZ_SEED</c> replays it.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class StoredEntityFuzzTests(IntegrationFixture fixture, ITestOutputHelper output)
{
    private const int Iterations = 1000;

    // Every row the broker's configuration allows: three scope sets of demo and the default of other (another client).
    private static readonly (string Connection, string Scope)[] Rows = [("demo", "api.read"), ("demo", "api.write"), ("demo", "api.read api.write"), ("other", "api.read")];

    private static readonly string[] Properties =
    [
        TokenEntity.Format, TokenEntity.RequestedScope, TokenEntity.Scope, TokenEntity.TokenType, TokenEntity.AcquiredOn,
        TokenEntity.ExpiresOn, TokenEntity.RefreshAt, TokenEntity.SecretVersion, TokenEntity.ClientId, TokenEntity.TokenEndpoint,
        TokenEntity.TokenBytes, TokenEntity.Chunks, TokenEntity.KeyId, TokenEntity.Nonce, TokenEntity.Tag,
        TokenEntity.LastRequestedOn, TokenEntity.LeaseOwner, TokenEntity.LeaseUntil, TokenEntity.RetryAfterUntil,
        TokenEntity.RejectedUntil, TokenEntity.LastError, TokenEntity.LastErrorOn, TokenEntity.ChunkName(0), TokenEntity.ChunkName(1),
    ];

    [Fact]
    public async Task A_thousand_mutated_entities_never_serve_a_wrong_or_expired_token_and_every_bad_row_heals_on_the_next_fetch()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TOKENBROKER_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"seed {seed}");

        // The clock starts three hours back, so the first tokens are long expired once it catches up: replaying them is
        // one of the mutations, and the clock need not move while the lanes run (which keeps each lane reproducible).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Refresh:Enabled"] = "false";
        settings["TokenBroker:Coordination:PeerWait"] = "00:00:00.020";
        settings["TokenBroker:Coordination:PeerPollInterval"] = "00:00:00.010";
        await using var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<TimeProvider>(clock));
        var registry = broker.Services.GetRequiredService<ConnectionRegistry>();
        var rows = Rows.Select(r => new Row(r.Connection, r.Scope, registry.TryGet(r.Connection, out var c) ? c.CacheKeyFor(ScopeSet.Parse(r.Scope)) : default)).ToArray();
        var table = broker.Services.GetRequiredService<TableClient>();
        var memory = broker.Services.GetRequiredService<MemoryTokenCache>();

        var expired = new List<TableEntity>();
        foreach (var row in rows)
        {
            Assert.Equal(row.Scope, ScopesIn((await RequestAsync(broker, row)).AccessToken!));
            expired.Add(await ReadAsync(table, row.Key));
        }

        clock.Advance(TimeSpan.FromHours(3));
        memory.RemoveConnection("demo");
        memory.RemoveConnection("other");
        var fresh = new List<TableEntity>();
        foreach (var row in rows)
        {
            Assert.Equal(row.Scope, ScopesIn((await RequestAsync(broker, row)).AccessToken!));
            fresh.Add(await ReadAsync(table, row.Key));
        }

        var issuedFor = new System.Collections.Concurrent.ConcurrentDictionary<string, Row>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        var lanes = await Task.WhenAll(rows.Select((row, lane) => Task.Run(() => RunLaneAsync(
            broker, row, new Random(seed + lane), [.. expired, .. fresh.Where((_, i) => i != lane)], fresh[lane], issuedFor, clock))));

        var fetched = lanes.Sum(l => l.Fetched);
        var served = lanes.Sum(l => l.ServedAsStored);
        var failure = lanes.FirstOrDefault(l => l.Failure is not null)?.Failure;
        Assert.True(failure is null, $"Fuzz seed {seed} (set TOKENBROKER_FUZZ_SEED={seed} to replay): {failure}");
        output.WriteLine($"{fetched + served} mutated entities in {stopwatch.Elapsed.TotalSeconds:F1} s: {fetched} fetched again, {served} served as stored");
        Assert.Equal(Iterations, fetched + served);
        Assert.True(fetched > Iterations / 2, "most mutations must have made the row unreadable");
        Assert.True(served > 0, "harmless mutations must still be served from the table");
    }

    /// <summary>One row's share of the iterations: mutate, write, request, check what was served, check that the row healed.</summary>
    private static async Task<LaneResult> RunLaneAsync(
        BrokerInstance broker, Row row, Random random, List<TableEntity> foreign, TableEntity current, System.Collections.Concurrent.ConcurrentDictionary<string, Row> issuedFor, FakeTimeProvider clock)
    {
        var table = broker.Services.GetRequiredService<TableClient>();
        var memory = broker.Services.GetRequiredService<MemoryTokenCache>();
        var protector = broker.Services.GetRequiredService<TokenProtector>();
        var own = new List<TableEntity> { current };
        int fetched = 0, servedAsStored = 0;
        var mutation = string.Empty;
        var iteration = 0;
        try
        {
            for (; iteration < Iterations / Rows.Length; iteration++)
            {
                (var mutated, mutation) = Mutate(random, current, foreign, own, clock.GetUtcNow());
                await table.UpsertEntityAsync(mutated, TableUpdateMode.Replace);
                memory.Remove(row.Key);

                var call = await RequestAsync(broker, row);

                Assert.Equal(200, call.Status);
                var token = call.AccessToken!;
                if (issuedFor.TryAdd(token, row))
                {
                    // Never seen before, so just issued: the authorization server says in the token which scopes (which row) it is for.
                    Assert.Equal(row.Scope, ScopesIn(token));
                    fetched++;
                }
                else
                {
                    servedAsStored++;
                }

                Assert.Equal(row, issuedFor[token]);
                Assert.Equal(row.Scope, call.Body.GetProperty("scope").GetString());
                Assert.True(call.Body.GetProperty("expires_on").GetInt64() > clock.GetUtcNow().ToUnixTimeSeconds(), "served an expired token");
                Assert.True(call.Body.GetProperty("expires_in").GetInt64() > 0, "served a token with no time left");

                // Healed: the row now holds an entity the broker reads as written, with the token just served.
                current = await ReadAsync(table, row.Key);
                var entry = TokenEntity.FromEntity(current);
                Assert.Null(entry.Problem);
                Assert.Equal(token, (await protector.OpenAsync(row.Key, entry.Sealed!, CancellationToken.None))?.AccessToken);
                own.Add(current);
            }

            return new LaneResult(fetched, servedAsStored, null);
        }
        catch (Exception ex) when (ex is Xunit.Sdk.XunitException or InvalidOperationException or NullReferenceException or JsonException or Azure.RequestFailedException)
        {
            return new LaneResult(fetched, servedAsStored, $"row {row.Connection} '{row.Scope}', iteration {iteration}, mutation '{mutation}': {ex.Message}");
        }
    }

    private static async Task<TableEntity> ReadAsync(TableClient table, TokenCacheKey key) =>
        (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;

    private static string ScopesIn(string accessToken) =>
        string.Join(' ', new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(accessToken).Claims
            .Where(claim => claim.Type is "scope" or "scp")
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Order(StringComparer.Ordinal));

    private static async Task<TokenCall> RequestAsync(BrokerInstance broker, Row row) =>
        await broker.RequestTokenAsync(row.Connection, new { scope = row.Scope });

    /// <summary>One to three mutations of <paramref name="entity"/>, or a whole entity from elsewhere; returns it and what was done, for the failure message.</summary>
    private static (TableEntity Entity, string Description) Mutate(Random random, TableEntity entity, List<TableEntity> foreign, List<TableEntity> own, DateTimeOffset now)
    {
        var mutated = new TableEntity(entity) { ETag = default };
        var done = new List<string>();
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var property = Properties[random.Next(Properties.Length)];
            switch (random.Next(12))
            {
                case 0:
                    mutated[property] = OtherTypeThan(random, mutated.TryGetValue(property, out var existing) ? existing : null);
                    done.Add($"{property} retyped to {mutated[property]!.GetType().Name}");
                    break;
                case 1:
                    mutated[Pick(random, TokenEntity.Format, TokenEntity.Chunks, TokenEntity.TokenBytes)] = Pick(random, -1, 0, 1, 2, 4, 13, 14, 15, int.MaxValue, int.MinValue, random.Next());
                    done.Add("an integer changed");
                    break;
                case 2:
                    mutated[TokenEntity.Chunks] = random.Next(0, 16);
                    mutated[TokenEntity.ChunkName(random.Next(0, 3))] = RandomBytes(random, random.Next(0, 64));
                    done.Add("chunks changed");
                    break;
                case 3:
                    var date = Pick(random, TokenEntity.AcquiredOn, TokenEntity.ExpiresOn, TokenEntity.RefreshAt, TokenEntity.LastRequestedOn, TokenEntity.LeaseUntil, TokenEntity.LastErrorOn);
                    mutated[date] = Pick(random, now.AddYears(-20), now.AddMinutes(-1), now, now.AddMinutes(random.Next(1, 600)), now.AddYears(50), new DateTimeOffset(1601, 1, 2, 0, 0, 0, TimeSpan.Zero));
                    if (date == TokenEntity.LeaseUntil)
                    {
                        mutated[TokenEntity.LeaseOwner] = "someone-else";
                    }

                    done.Add($"{date} moved");
                    break;
                case 4:
                    FlipBit(random, mutated, Pick(random, TokenEntity.ChunkName(0), TokenEntity.Nonce, TokenEntity.Tag));
                    done.Add("a ciphertext, nonce or tag bit flipped");
                    break;
                case 5:
                    mutated[TokenEntity.KeyId] = Pick(random, string.Empty, "1", "../key", "k" + random.Next(), new string('k', 300), "v1\u001fv2");
                    done.Add("key id changed");
                    break;
                case 6:
                    mutated[TokenEntity.Format] = random.Next(-1, 6);
                    done.Add($"format {mutated[TokenEntity.Format]}");
                    break;
                case 7:
                    mutated.Remove(property);
                    done.Add($"{property} removed");
                    break;
                case 8:
                    mutated[Pick(random, "Extra", TokenEntity.ChunkName(random.Next(1, 16)), "Token", "format")] = OtherTypeThan(random, null);
                    done.Add("an extra property");
                    break;
                case 9:
                    mutated = new TableEntity(foreign[random.Next(foreign.Count)]) { PartitionKey = entity.PartitionKey, RowKey = entity.RowKey, ETag = default };
                    done.Add("another row's entity, or this row's expired one, copied in");
                    break;
                case 10:
                    var old = own[random.Next(own.Count)];
                    mutated = new TableEntity(old) { PartitionKey = entity.PartitionKey, RowKey = entity.RowKey, ETag = default };
                    mutated[TokenEntity.ExpiresOn] = now.AddHours(1);
                    mutated[TokenEntity.Scope] = "api.read api.write api.admin";
                    done.Add("an older entity replayed with a fresh clear-text expiry and a wider scope");
                    break;
                default:
                    mutated[Pick(random, TokenEntity.Scope, TokenEntity.TokenType, TokenEntity.SecretVersion, TokenEntity.RequestedScope, TokenEntity.LastError)] =
                        Pick(random, string.Empty, "DPoP", "api.admin", "api.read api.write", "\u0000", new string('s', 1000));
                    done.Add("a clear-text string changed");
                    break;
            }
        }

        // Holds are honoured by design (503 with Retry-After), so a live one is not corruption; a past one must change nothing.
        foreach (var hold in new[] { TokenEntity.RetryAfterUntil, TokenEntity.RejectedUntil })
        {
            if (mutated.TryGetValue(hold, out var value) && value is DateTimeOffset until && until > now)
            {
                mutated[hold] = TokenEntity.Never;
            }
        }

        return (mutated, string.Join("; ", done));
    }

    private static object OtherTypeThan(Random random, object? value)
    {
        while (true)
        {
            object candidate = random.Next(8) switch
            {
                0 => "text",
                1 => random.Next(),
                2 => (long)random.Next(),
                3 => random.NextDouble(),
                4 => true,
                5 => Guid.NewGuid(),
                6 => new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
                _ => RandomBytes(random, 8),
            };
            if (value is null || candidate.GetType() != value.GetType())
            {
                return candidate;
            }
        }
    }

    private static void FlipBit(Random random, TableEntity entity, string property)
    {
        if (entity.TryGetValue(property, out var value) && value is byte[] { Length: > 0 } bytes)
        {
            var copy = (byte[])bytes.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            entity[property] = copy;
        }
        else
        {
            entity[property] = RandomBytes(random, 12);
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private sealed record Row(string Connection, string Scope, TokenCacheKey Key);

    private sealed record LaneResult(int Fetched, int ServedAsStored, string? Failure);
}
