namespace SenderAuth.Server.Access;

/// <summary>
/// Runs before authentication: a client address that failed authentication too often this minute is answered 429
/// without its key being looked up; after the request, a 401 counts against the client. Health probes are exempt.
/// </summary>
public sealed class ClientLimitMiddleware(RequestDelegate next, ClientThrottle throttle)
{
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/ready"))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        var client = ClientAddress.Of(http);
        if (throttle.AuthRefusal(client) is { } refusal)
        {
            await ErrorResponses.Problem(refusal, http).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        await next(http).ConfigureAwait(false);
        if (http.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            throttle.AuthFailed(client, http.Request.Path);
        }
    }
}
