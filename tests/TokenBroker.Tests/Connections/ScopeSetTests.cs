using TokenBroker.Connections;

namespace TokenBroker.Tests.Connections;

public sealed class ScopeSetTests
{
    [Theory]
    [InlineData("b a", "a b")]
    [InlineData("  a   b  a ", "a b")]
    [InlineData("api://x/.default", "api://x/.default")]
    [InlineData("B a", "B a")]
    public void Scopes_are_deduplicated_and_sorted_ordinally(string input, string normalized)
    {
        Assert.True(ScopeSet.TryParse(input, out var scopes, out _));
        Assert.Equal(normalized, scopes.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_input_is_the_empty_set(string? input)
    {
        Assert.True(ScopeSet.TryParse(input, out var scopes, out _));
        Assert.Same(ScopeSet.Empty, scopes);
    }

    [Theory]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    [InlineData("caf\u00e9")]
    [InlineData("a\tb")]
    [InlineData("a\u0000")]
    [InlineData("a\u202eb")]
    public void Characters_outside_the_RFC_6749_scope_token_are_refused(string input)
    {
        Assert.False(ScopeSet.TryParse(input, out _, out var error));
        Assert.Contains("RFC 6749", error);
    }

    [Fact]
    public void Too_many_or_too_long_scopes_are_refused()
    {
        var many = string.Join(' ', Enumerable.Range(0, ScopeSet.MaxCount + 1).Select(i => $"s{i}"));
        Assert.False(ScopeSet.TryParse(many, out _, out _));
        Assert.False(ScopeSet.TryParse(new string('a', ScopeSet.MaxScopeLength + 1), out _, out _));
        Assert.False(ScopeSet.TryParse(new string('a', ScopeSet.MaxLength + 1), out _, out _));
    }

    [Fact]
    public void Subset_and_difference_compare_ordinally()
    {
        var allowed = ScopeSet.Parse("api.read api.write");
        Assert.True(ScopeSet.Parse("api.write").IsSubsetOf(allowed));
        Assert.False(ScopeSet.Parse("API.READ").IsSubsetOf(allowed));
        Assert.Equal(["api.admin"], ScopeSet.Parse("api.read api.admin").Except(allowed));
        Assert.True(ScopeSet.Empty.IsSubsetOf(allowed));
    }
}
