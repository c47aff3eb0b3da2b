using TokenBroker.Lifecycle;

namespace TokenBroker.Tests.Lifecycle;

public sealed class AddedSecretTests
{
    [Fact]
    public void Formatting_an_added_secret_names_its_key_id_never_its_value()
    {
        var keyId = Guid.NewGuid();
        var added = new AddedSecret(new RegisteredSecret(keyId, "rotation", null, null), "s3cr3t-value-never-printed");

        Assert.Equal($"client secret {keyId}", added.ToString());
        Assert.DoesNotContain("s3cr3t", $"{added}", StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_message_names_operation_application_status_and_code()
    {
        var error = new AppRegistrationException("addPassword", "payments-app", AppRegistrationError.Forbidden, 403, "Authorization_RequestDenied");

        Assert.Equal("Graph addPassword on application 'payments-app' failed: Forbidden (403 Authorization_RequestDenied).", error.Message);
        Assert.False(error.IsTransient);
    }
}
