using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Http;

/// <summary>
/// Turns every failure into ProblemDetails (RFC 9457): the status, the field when there is one, and the reason.
/// The one place where a <see cref="ServiceError"/> or an exception gets its HTTP status.
/// </summary>
public sealed partial class ErrorResponses(IProblemDetailsService problems, ILogger<ErrorResponses> logger) : IExceptionHandler
{
    /// <summary>The HTTP status of a typed error; the dashboard answers its pages with the same one.</summary>
    public static int Status(ServiceError error) => error switch
    {
        ServiceError.Invalid => StatusCodes.Status400BadRequest,
        ServiceError.Unauthenticated => StatusCodes.Status401Unauthorized,
        ServiceError.Refused => StatusCodes.Status403Forbidden,
        ServiceError.NotFound => StatusCodes.Status404NotFound,
        ServiceError.Conflict or ServiceError.SigningBlocked or ServiceError.QuotaExceeded => StatusCodes.Status409Conflict,
        ServiceError.RateLimited => StatusCodes.Status429TooManyRequests,
        ServiceError.Stale => StatusCodes.Status412PreconditionFailed,
        ServiceError.PreconditionRequired => StatusCodes.Status428PreconditionRequired,
        ServiceError.NotSigned => StatusCodes.Status422UnprocessableEntity,
        ServiceError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ServiceError.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "a ServiceError kind without a status"),
    };

    /// <summary>
    /// Answers a dashboard page for a typed error as the API answers it: the status of <see cref="Status"/>, and
    /// Retry-After when the caller may retry later. The page shows the reason itself.
    /// </summary>
    public static void Answer(HttpResponse response, ServiceError error)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);
        response.StatusCode = Status(error);
        RetryAfter(response, error);
    }

    private static void RetryAfter(HttpResponse response, ServiceError error)
    {
        if (error is ServiceError.RateLimited { RetryAfterSeconds: var retry })
        {
            response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The problem an endpoint answers for a typed error (written by the same problem-details service as exceptions).</summary>
    public static ProblemHttpResult Problem(ServiceError error, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(http);
        var status = Status(error);
        if (error is ServiceError.SigningBlocked blocked)
        {
            // Its own title and the findings, no field: the body clients have parsed since the endpoint existed.
            return TypedResults.Problem(new ProblemDetails { Status = status, Title = "The DKIM delegation is not correct", Detail = blocked.Detail, Extensions = { ["findings"] = blocked.Findings } });
        }
        if (error is ServiceError.NotSigned)
        {
            return TypedResults.Problem(new ProblemDetails { Status = status, Title = "Not signed", Detail = error.Detail });
        }
        if (error is ServiceError.QuotaExceeded or ServiceError.RateLimited)
        {
            // The limit by its setting's name and value, so a client (or its operator) knows which quota it hit.
            var (limit, value) = error switch
            {
                ServiceError.QuotaExceeded q => (q.Limit, q.Value),
                ServiceError.RateLimited r => (r.Limit, r.Value),
                _ => throw new UnreachableException(),
            };
            RetryAfter(http.Response, error);
            var quota = Create(http, status, Title(status), error.Detail, null);
            quota.Extensions["limit"] = limit;
            quota.Extensions["limitValue"] = value;
            return TypedResults.Problem(quota);
        }
        var field = error switch
        {
            ServiceError.Invalid e => e.Field,
            ServiceError.Conflict e => e.Field,
            _ => null,
        };
        var problem = Create(http, status, Title(status), error.Detail, field);
        if (error is ServiceError.Invalid { Code: { } code })
        {
            problem.Extensions["code"] = code;
        }
        return TypedResults.Problem(problem);
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, title, detail) = exception switch
        {
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, "Conflict", "the resource was changed by another request at the same time: read it again and retry"),
            ZonePublishException e => (StatusCodes.Status502BadGateway, "Publishing failed",
                $"the change is saved, but the provider zone could not be published: {e.Message}. It is published again on the next change, or now with POST /api/v1/provider-zone/publish"),
            BadHttpRequestException e => (e.StatusCode, Title(e.StatusCode), e.Message),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (StatusCodes.Status499ClientClosedRequest, "Client closed request", "the client went away"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "an internal error occurred; it is logged with the request id"),
        };
        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = status;
        var problem = Create(httpContext, status, title, detail, null);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    private static ProblemDetails Create(HttpContext http, int status, string title, string detail, string? field)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }
        problem.Extensions["traceId"] = http.TraceIdentifier;
        return problem;
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status412PreconditionFailed => "Precondition failed",
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status428PreconditionRequired => "Precondition required",
        StatusCodes.Status422UnprocessableEntity => "Unprocessable",
        StatusCodes.Status429TooManyRequests => "Too many requests",
        _ => "Error",
    };

    [LoggerMessage(EventId = LogEvents.Http + 1, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
