using TokenBroker.Connections;

namespace TokenBroker.Lifecycle;

/// <summary>A connection's validated lifecycle settings (<see cref="ConnectionLifecycleOptions"/> with its defaults applied).</summary>
/// <param name="Directory">Where the credential can be seen besides Key Vault.</param>
/// <param name="Rotation">Who rotates it.</param>
/// <param name="Lifetime">How long a credential the broker creates is valid.</param>
/// <param name="RenewBefore">How long before expiry a rotation starts.</param>
/// <param name="Grace">How long the old credential outlives the switch to the new one.</param>
internal sealed record CredentialLifecycle(CredentialDirectory Directory, RotationMode Rotation, TimeSpan Lifetime, TimeSpan RenewBefore, TimeSpan Grace)
{
    /// <summary>The default credential lifetime: six months, well inside the 24 months Entra ID recommends as a maximum.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(180);

    /// <summary>The default lead time: a rotation starts a month before expiry, leaving weeks to fix a failing one.</summary>
    public static readonly TimeSpan DefaultRenewBefore = TimeSpan.FromDays(30);

    /// <summary>The default grace: the old credential stays a day, so anything still holding it has time to move on.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromDays(1);

    /// <summary>Unset settings: manual rotation, Key Vault side only.</summary>
    public static readonly CredentialLifecycle Default = new(CredentialDirectory.None, RotationMode.Manual, DefaultLifetime, DefaultRenewBefore, DefaultGrace);

    // The hosts of Entra ID's token endpoints in the public, US government and China clouds.
    private static readonly string[] EntraHosts = ["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"];

    /// <summary>Whether the broker rotates this connection's credential itself.</summary>
    public bool IsAutomatic => Rotation == RotationMode.Automatic;

    /// <summary>Checks the settings under <paramref name="key"/> (the connection's section), adding errors that name the full key.</summary>
    public static void Validate(string key, ConnectionOptions connection, ClientAuthMethod method, List<string> errors)
    {
        var options = connection.Lifecycle;
        var prefix = $"{key}:Lifecycle";
        if (!TryParse<CredentialDirectory>(options.Directory, out var directory))
        {
            errors.Add($"{prefix}:Directory '{options.Directory}' is not supported; use EntraId or None.");
        }

        if (!TryParse<RotationMode>(options.Rotation, out var rotation))
        {
            errors.Add($"{prefix}:Rotation '{options.Rotation}' is not supported; use Manual or Automatic.");
        }

        var lifetime = options.Lifetime ?? DefaultLifetime;
        var renewBefore = options.RenewBefore ?? DefaultRenewBefore;
        var grace = options.Grace ?? DefaultGrace;
        if (lifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}:Lifetime must be positive.");
        }

        if (renewBefore <= TimeSpan.Zero || renewBefore >= lifetime)
        {
            errors.Add($"{prefix}:RenewBefore must be positive and shorter than Lifetime ({lifetime}).");
        }

        if (grace < TimeSpan.Zero || grace > renewBefore)
        {
            errors.Add($"{prefix}:Grace must be zero or more and at most RenewBefore ({renewBefore}), so the old credential is gone before the next rotation is due.");
        }

        if (rotation != RotationMode.Automatic)
        {
            return;
        }

        if ((directory ?? Infer(connection.TokenEndpoint)) != CredentialDirectory.EntraId)
        {
            errors.Add($"{prefix}:Rotation Automatic needs {prefix}:Directory EntraId: the broker can create credentials only through Microsoft Graph.");
        }

        if (method == ClientAuthMethod.ManagedIdentityFederation)
        {
            errors.Add($"{prefix}:Rotation Automatic does not apply to AuthMethod managed_identity_federation: it has no credential to rotate.");
        }
    }

    /// <summary>Builds the settings <see cref="Validate"/> accepted.</summary>
    public static CredentialLifecycle Create(ConnectionOptions connection)
    {
        var options = connection.Lifecycle;
        return new CredentialLifecycle(
            TryParse<CredentialDirectory>(options.Directory, out var directory) && directory is { } d ? d : Infer(connection.TokenEndpoint),
            TryParse<RotationMode>(options.Rotation, out var rotation) && rotation is { } r ? r : RotationMode.Manual,
            options.Lifetime ?? DefaultLifetime,
            options.RenewBefore ?? DefaultRenewBefore,
            options.Grace ?? DefaultGrace);
    }

    private static CredentialDirectory Infer(string? tokenEndpoint) =>
        Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var uri) && EntraHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase)
            ? CredentialDirectory.EntraId
            : CredentialDirectory.None;

    // Unset parses as null (the default applies); only a value that names no member fails. Numbers are not names.
    private static bool TryParse<T>(string? value, out T? parsed)
        where T : struct, Enum
    {
        parsed = null;
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return true;
        }

        if (!char.IsLetter(trimmed[0]) || !Enum.TryParse<T>(trimmed, ignoreCase: true, out var member))
        {
            return false;
        }

        parsed = member;
        return true;
    }
}
