namespace TokenBroker.Lifecycle;

/// <summary>Why Graph did not do what the broker asked.</summary>
internal enum AppRegistrationError
{
    /// <summary>No such application (404).</summary>
    NotFound,

    /// <summary>Graph did not accept the broker's token (401): a wrong audience, an expired or foreign token.</summary>
    Unauthenticated,

    /// <summary>The broker's identity may not do this (403): it does not own the application, or lacks the permission.</summary>
    Forbidden,

    /// <summary>Graph refused the request itself (other 4xx): a bad proof, a limit reached, a duplicate key.</summary>
    Rejected,

    /// <summary>Graph could not be reached or answered with 408, 429 or 5xx, or with a body that is not Graph's: worth retrying.</summary>
    Unavailable,
}
