using System.Reflection;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Tests.Diagnostics;

/// <summary>
/// Every <c>[LoggerMessage]</c> of a project takes its id from that project's <c>EventIds</c> list, and no id means two
/// things: not within a project, and not between the broker (core and hosts, one process) and the client library (a
/// calling service's process, whose lines may land in the same workspace).
/// </summary>
public sealed class EventIdsTests
{
    public static TheoryData<string> Assemblies() => new(Projects.Keys);

    private static readonly Dictionary<string, Assembly> Projects = new()
    {
        ["TokenBroker"] = typeof(ITokenBroker).Assembly,
        ["TokenBroker.Host"] = typeof(TokenBroker.Host.BrokerHost).Assembly,
        ["TokenBroker.Client"] = typeof(TokenBroker.Client.IBrokeredTokenProvider).Assembly,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Every_log_message_takes_its_id_from_the_projects_list_and_no_id_is_used_twice(string project)
    {
        var assembly = Projects[project];
        var messages = LogMessages(assembly);
        var listed = ListedIds(assembly);

        Assert.NotEmpty(messages);
        Assert.Empty(messages.Where(m => !listed.Contains(m.Id)).Select(m => $"{m.Method} ({m.Id}) is not in {project}'s EventIds"));
        Assert.Empty(messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}"));
        Assert.Empty(listed.Except(messages.Select(m => m.Id)).Select(id => $"{id} is listed but no message uses it"));
        Assert.Equal(listed.Count, ListedConstants(assembly).Count());
    }

    [Fact]
    public void The_broker_and_the_client_library_never_share_an_id()
    {
        var broker = LogMessages(Projects["TokenBroker"]).Concat(LogMessages(Projects["TokenBroker.Host"])).Select(m => m.Id).ToHashSet();
        var client = LogMessages(Projects["TokenBroker.Client"]).Select(m => m.Id);

        Assert.DoesNotContain(client, broker.Contains);
    }

    private static List<(string Method, int Id)> LogMessages(Assembly assembly) =>
    [
        .. from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select ($"{type.FullName}.{method.Name}", attribute.EventId),
    ];

    private static IEnumerable<int> ListedConstants(Assembly assembly) =>
        assembly.GetTypes()
            .Single(t => t.Name == "EventIds")
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (int)f.GetRawConstantValue()!);

    private static HashSet<int> ListedIds(Assembly assembly) => [.. ListedConstants(assembly)];
}
