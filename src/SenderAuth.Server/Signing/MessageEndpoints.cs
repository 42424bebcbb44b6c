using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Signing;

public static class MessageEndpoints
{
    public const string DispositionHeader = "SenderAuth-Signing";

    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/messages/sign", SignAsync).RequireScope(ApiScope.Sign).WithTags("Signing")
            .Accepts<byte[]>("message/rfc822").Produces<byte[]>(StatusCodes.Status200OK, "message/rfc822")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Raw RFC 5322 message in, signed message out; the key is chosen by the From domain")
            .WithDescription($"The {DispositionHeader} response header says what happened: signed, provider-domain, unsigned (by the institution's policy). "
                + "A message that cannot be signed under the policy is 422 with the reason. Operators name the institution whose policy applies to unknown domains with ?institution=CODE.");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SignAsync(HttpContext http, SigningService signing, IOptions<ApiLimits> limits, string? institution)
    {
        var caller = Caller.From(http);
        if (!(await ReadMessageAsync(http.Request, limits.Value.MaxMessageBytes).ConfigureAwait(false)).TryGet(out var message, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var outcome = await signing.SignAsync(message, caller, institution, http.RequestAborted).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal)
        {
            // A fault of the message is the caller's invalid input and gets no disposition header (its reason may
            // quote the message, which a header value cannot carry); a refusal by policy says "rejected" there too.
            if (refusal.Kind != SigningRefusalKind.Message)
            {
                http.Response.Headers[DispositionHeader] = outcome.HeaderValue;
            }
            return ErrorResponses.Problem(refusal.ToServiceError(), http);
        }
        http.Response.Headers[DispositionHeader] = outcome.HeaderValue;
        return TypedResults.Bytes(outcome.Message!, "message/rfc822");
    }

    /// <summary>Reads the body up to the limit; beyond it, too large without reading the rest into memory.</summary>
    private static async Task<Result<ReadOnlyMemory<byte>>> ReadMessageAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            return new ServiceError.TooLarge($"the message is {request.ContentLength} bytes; the limit is {limit} (SenderAuth:Limits:MaxMessageBytes)");
        }
        var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return new ServiceError.TooLarge($"the message is larger than the limit of {limit} bytes (SenderAuth:Limits:MaxMessageBytes)");
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return new ServiceError.Invalid("the body is empty: send the raw message as message/rfc822", "message");
        }
        return (ReadOnlyMemory<byte>)buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
