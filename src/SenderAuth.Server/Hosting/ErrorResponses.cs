using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Server.Onboarding;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Server.Hosting;

/// <summary>Turns every failure into ProblemDetails: the status, the field when there is one, and the reason.</summary>
public sealed partial class ErrorResponses(IProblemDetailsService problems, ILogger<ErrorResponses> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, title, detail, field) = exception switch
        {
            ApiException e => (e.Status, Title(e.Status), e.Message, e.Field),
            DbUpdateConcurrencyException => (409, "Conflict", "the resource was changed by another request at the same time: read it again and retry", null),
            ZonePublishException e => (502, "Publishing failed",
                $"the change is saved, but the provider zone could not be published: {e.Message}. It is published again on the next change, or now with POST /api/v1/provider-zone/publish", null),
            BadHttpRequestException e => (e.StatusCode, Title(e.StatusCode), e.Message, null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed request", "the client went away", null),
            _ => (500, "Internal error", "an internal error occurred; it is logged with the request id", (string?)null),
        };
        if (status == 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }
        problem.Extensions["traceId"] = httpContext.TraceIdentifier;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Unprocessable",
        _ => "Error",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
