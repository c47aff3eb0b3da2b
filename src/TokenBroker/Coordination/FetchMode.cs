namespace TokenBroker.Coordination;

/// <summary>Why a token is being fetched, which decides what counts as good enough.</summary>
internal enum FetchMode
{
    /// <summary>A caller has no usable token: any servable token will do.</summary>
    Request,

    /// <summary>The token entered its refresh window: only a token whose refresh point lies ahead will do.</summary>
    Refresh,

    /// <summary>A secret changed: fetch a new token with it now, ignoring holds and fresh tokens.</summary>
    Forced,
}
