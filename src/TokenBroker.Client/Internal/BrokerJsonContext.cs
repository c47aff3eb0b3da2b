using System.Text.Json.Serialization;

namespace TokenBroker.Client.Internal;

/// <summary>Source-generated serialization of the broker's documents: no reflection, and trimming keeps what it needs.</summary>
[JsonSerializable(typeof(TokenRequestDocument))]
[JsonSerializable(typeof(TokenResponseDocument))]
[JsonSerializable(typeof(ProblemDocument))]
internal sealed partial class BrokerJsonContext : JsonSerializerContext;
