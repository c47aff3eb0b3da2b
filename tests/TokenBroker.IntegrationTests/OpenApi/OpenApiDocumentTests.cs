using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using TokenBroker.Functions.Http;

namespace TokenBroker.IntegrationTests.OpenApi;

/// <summary>
/// docs/openapi.json is written by hand, so these tests hold it to the code: the functions it describes, the error codes it
/// lists, the statuses the token route can answer with, and what a running broker actually sends.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class OpenApiDocumentTests(IntegrationFixture fixture)
{
    private const string TokenPath = "/api/token/{connection}";

    private static readonly JsonElement Document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "openapi.json"))).RootElement;

    private static JsonElement Paths => Document.GetProperty("paths");

    [Fact]
    public void The_document_is_OpenAPI_3_0_and_every_reference_resolves()
    {
        Assert.StartsWith("3.0.", Document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(Document.GetProperty("info").GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(Document.GetProperty("info").GetProperty("version").GetString()));

        var references = References(Document).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, reference => Assert.True(Resolve(reference).ValueKind == JsonValueKind.Object, $"{reference} does not resolve"));

        var schemes = Document.GetProperty("components").GetProperty("securitySchemes");
        foreach (var (_, operation) in Operations())
        {
            Assert.True(operation.TryGetProperty("responses", out var responses) && responses.EnumerateObject().Any());
            foreach (var requirement in operation.TryGetProperty("security", out var security) ? security.EnumerateArray() : [])
            {
                Assert.All(requirement.EnumerateObject(), scheme => Assert.True(schemes.TryGetProperty(scheme.Name, out _), $"unknown security scheme {scheme.Name}"));
            }
        }
    }

    [Fact]
    public async Task Every_http_function_has_its_path_and_method_documented_and_nothing_else_is()
    {
        var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "functions.metadata"))).RootElement;
        var functions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in metadata.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");
            if (trigger.GetProperty("type").GetString() != "httpTrigger")
            {
                continue;
            }

            foreach (var method in trigger.GetProperty("methods").EnumerateArray())
            {
                functions.Add($"{method.GetString()!.ToUpperInvariant()} /{RoutePrefix()}/{trigger.GetProperty("route").GetString()}");
            }
        }

        var documented = Operations().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

        Assert.True(functions.Count >= 2);
        Assert.Equal(functions.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_problem_code_constant_is_in_the_code_enum_and_nothing_else_is()
    {
        var constants = typeof(ProblemCode).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!);
        var documented = Schema("ProblemCode").GetProperty("enum").EnumerateArray().Select(code => code.GetString()!);

        Assert.Equal(constants.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_token_route_documents_exactly_the_statuses_the_implementation_can_produce()
    {
        var produced = ProducibleStatuses().Values.ToHashSet();
        produced.Add(200);
        var documented = Operation("POST " + TokenPath).GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(produced.Order(), documented.Order());
    }

    [Fact]
    public void Every_problem_example_sits_under_the_status_its_code_is_answered_with()
    {
        var statusOf = ProducibleStatuses();
        statusOf[ProblemCode.NotFound] = 404;

        // The rotate route only (OperationsFunctions.RotateAsync).
        statusOf[ProblemCode.RotationManual] = 409;
        statusOf[ProblemCode.RotationNotSupported] = 409;
        statusOf[ProblemCode.RotationNothingToDo] = 409;
        statusOf[ProblemCode.RotationUnavailable] = 409;
        statusOf[ProblemCode.RotationInProgress] = 409;
        var examples = 0;
        foreach (var (name, operation) in Operations())
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                var status = int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture);
                var body = Deref(response.Value);
                if (!body.TryGetProperty("content", out var content) || !content.TryGetProperty(ProblemResult.ContentType, out var problem))
                {
                    continue;
                }

                Assert.True(problem.TryGetProperty("examples", out var byName), $"{name} {status} has no examples");
                foreach (var example in byName.EnumerateObject())
                {
                    var value = example.Value.GetProperty("value");
                    var code = value.GetProperty("code").GetString()!;
                    Assert.True(statusOf.TryGetValue(code, out var expected), $"{name} {status}: unknown code {code}");
                    Assert.Equal(expected, status);
                    Assert.Equal(status, value.GetProperty("status").GetInt32());
                    Assert.Equal("urn:tokenbroker:problem:" + code, value.GetProperty("type").GetString());
                    AssertHasRequired(value, Schema("Problem"));
                    examples++;
                }
            }
        }

        Assert.True(examples >= 10);
    }

    [Fact]
    public async Task What_a_running_broker_answers_is_documented_for_the_path()
    {
        await using var broker = await fixture.StartBrokerAsync();
        var responses = new List<(string Operation, HttpResponseMessage Response)>();
        try
        {
            responses.Add(("POST " + TokenPath, await broker.Client.PostAsync("/api/token/demo", null)));
            responses.Add(("POST " + TokenPath, await broker.Client.PostAsync("/api/token/no-such-connection", null)));
            responses.Add(("POST " + TokenPath, await broker.Client.PostAsync("/api/token/demo", Json("{\"scope\":42}"))));
            responses.Add(("POST " + TokenPath, await broker.Client.PostAsync("/api/token/demo", new StringContent("scope=api.read", Encoding.UTF8, "application/x-www-form-urlencoded"))));
            responses.Add(("POST " + TokenPath, await broker.Client.PostAsync("/api/token/demo", Json($$"""{"scope":"{{new string('a', 6000)}}"}"""))));
            responses.Add(("GET /api/health", await broker.Client.GetAsync("/api/health")));

            Assert.Equal([200, 404, 400, 415, 413, 200], responses.Select(r => (int)r.Response.StatusCode));
            foreach (var (operation, response) in responses)
            {
                await AssertDocumentedAsync(operation, response);
            }
        }
        finally
        {
            foreach (var (_, response) in responses)
            {
                response.Dispose();
            }
        }
    }

    /// <summary>
    /// Every status the token route can produce, by code: the core's error kinds through <c>ProblemCode.For</c> (its fallback
    /// arm included, with a kind no enum member has), and what the HTTP layer answers before the core runs.
    /// </summary>
    private static Dictionary<string, int> ProducibleStatuses()
    {
        var statuses = Enum.GetValues<TokenErrorKind>().Append((TokenErrorKind)(-1))
            .Select(ProblemCode.For)
            .ToDictionary(mapping => mapping.Code, mapping => mapping.Status, StringComparer.Ordinal);

        // TokenRequestBody, FunctionKeyMiddleware and the host's status code pages.
        statuses.Add(ProblemCode.MalformedBody, 400);
        statuses.Add(ProblemCode.Unauthorized, 401);
        statuses.Add(ProblemCode.MethodNotAllowed, 405);
        statuses.Add(ProblemCode.BodyTooLarge, 413);
        statuses.Add(ProblemCode.UnsupportedMediaType, 415);

        // The operations endpoints' admission (OperationsFunctions).
        statuses.Add(ProblemCode.AdminKeyUnavailable, 503);
        return statuses;
    }

    private async Task AssertDocumentedAsync(string operation, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Operation(operation).GetProperty("responses").TryGetProperty(status, out var documented), $"{operation} answered {status}, which is not documented");
        var mediaType = response.Content.Headers.ContentType?.MediaType!;
        Assert.True(Deref(documented).GetProperty("content").TryGetProperty(mediaType, out var content), $"{operation} {status} answered {mediaType}, which is not documented");

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        fixture.Sink.AddSensitive(body.TryGetProperty("access_token", out var token) ? token.GetString() : null);
        var schema = Deref(content.GetProperty("schema"));
        AssertHasRequired(body, schema);
        if (body.TryGetProperty("code", out var code))
        {
            Assert.Contains(code.GetString(), Schema("ProblemCode").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        }
    }

    private static void AssertHasRequired(JsonElement value, JsonElement schema)
    {
        foreach (var required in schema.TryGetProperty("required", out var names) ? names.EnumerateArray() : [])
        {
            Assert.True(value.TryGetProperty(required.GetString()!, out _), $"{value} lacks the required member {required}");
        }
    }

    /// <summary>The prefix Azure puts before every HTTP route: host.json's <c>extensions.http.routePrefix</c>, <c>api</c> by default.</summary>
    private static string RoutePrefix()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json"))).RootElement;
        return host.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!
            : "api";
    }

    private static IEnumerable<KeyValuePair<string, JsonElement>> Operations()
    {
        string[] methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        foreach (var path in Paths.EnumerateObject())
        {
            foreach (var member in path.Value.EnumerateObject().Where(m => methods.Contains(m.Name)))
            {
                yield return new($"{member.Name.ToUpperInvariant()} {path.Name}", member.Value);
            }
        }
    }

    private static JsonElement Operation(string name) => Operations().Single(o => o.Key == name).Value;

    private static JsonElement Schema(string name) => Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static JsonElement Deref(JsonElement element) =>
        element.TryGetProperty("$ref", out var reference) ? Resolve(reference.GetString()!) : element;

    private static JsonElement Resolve(string reference)
    {
        Assert.StartsWith("#/", reference, StringComparison.Ordinal);
        var node = Document;
        foreach (var segment in reference[2..].Split('/'))
        {
            if (!node.TryGetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal), out node))
            {
                return default;
            }
        }

        return node;
    }

    private static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(member =>
            member.Name == "$ref" && member.Value.ValueKind == JsonValueKind.String ? [member.Value.GetString()!] : References(member.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
