using Microsoft.Extensions.Options;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Onboarding;
using SenderAuth.Server.Signing;

namespace SenderAuth.Server.Api;

public static class MessageEndpoints
{
    public const string DispositionHeader = "SenderAuth-Signing";

    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/messages/sign", SignAsync).WithTags("Signing")
            .Accepts<byte[]>("message/rfc822").Produces(200, contentType: "message/rfc822").ProducesProblem(400).ProducesProblem(413).ProducesProblem(422)
            .WithSummary("Raw RFC 5322 message in, signed message out; the key is chosen by the From domain")
            .WithDescription($"The {DispositionHeader} response header says what happened: signed, provider-domain, unsigned (by the institution's policy). "
                + "A message that cannot be signed under the policy is 422 with the reason. Operators name the institution whose policy applies to unknown domains with ?institution=CODE.");
    }

    private static async Task<IResult> SignAsync(HttpContext http, SigningService signing, IOptions<ServerOptions> options, string? institution)
    {
        var caller = Caller.From(http.User);
        var message = await ReadMessageAsync(http.Request, options.Value.Limits.MaxMessageBytes).ConfigureAwait(false);
        SignOutcome outcome;
        try
        {
            outcome = await signing.SignAsync(message, caller, institution, http.RequestAborted).ConfigureAwait(false);
        }
        catch (MessageRejectedException e)
        {
            throw new ApiException(400, $"the message cannot be signed: {e.Message}", "message");
        }
        http.Response.Headers[DispositionHeader] = outcome.HeaderValue;
        return outcome.Message is { } bytes
            ? Results.Bytes(bytes, "message/rfc822")
            : Results.Problem(statusCode: 422, title: "Not signed", detail: outcome.Detail);
    }

    /// <summary>Reads the body up to the limit; beyond it, 413 without reading the rest into memory.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadMessageAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            throw new ApiException(413, $"the message is {request.ContentLength} bytes; the limit is {limit} (SenderAuth:Limits:MaxMessageBytes)");
        }
        var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ApiException(413, $"the message is larger than the limit of {limit} bytes (SenderAuth:Limits:MaxMessageBytes)");
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            throw new ApiException(400, "the body is empty: send the raw message as message/rfc822", "message");
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
