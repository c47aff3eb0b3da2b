namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// A refusal in Microsoft Graph's error shape: <c>{"error":{"code","message","innerError":{"date","request-id",
/// "client-request-id"}}}</c>, which the Graph SDK reads into <c>ODataError</c>.
/// </summary>
internal sealed record GraphError(int Status, string Code, string Message)
{
    public static GraphError Unauthenticated(string message) => new(StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", message);

    // Graph's answer to an application permission that does not reach the object (OwnedBy on an app it does not own).
    public static GraphError NotOwner { get; } = new(StatusCodes.Status403Forbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    public static GraphError NotFound(string message) => new(StatusCodes.Status404NotFound, "Request_ResourceNotFound", message);

    public static GraphError BadRequest(string message) => new(StatusCodes.Status400BadRequest, "Request_BadRequest", message);

    public async Task WriteAsync(HttpContext context, DateTimeOffset now)
    {
        var response = context.Response;
        response.StatusCode = Status;
        string? clientRequestId = context.Request.Headers["client-request-id"];
        await GraphJson.WriteAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", Code);
            writer.WriteString("message", Message);
            writer.WriteStartObject("innerError");
            writer.WriteString("date", GraphJson.Format(now));
            writer.WriteString("request-id", Guid.NewGuid().ToString("D"));
            writer.WriteString("client-request-id", clientRequestId ?? Guid.NewGuid().ToString("D"));
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
