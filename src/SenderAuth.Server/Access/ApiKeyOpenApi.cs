using Microsoft.OpenApi;

namespace SenderAuth.Server.Access;

/// <summary>
/// How the OpenAPI document says API keys are sent: <c>Authorization: Bearer sa_…</c>, an HTTP bearer scheme named
/// after the authentication scheme that reads it (<see cref="ApiKeyAuthenticationHandler.SchemeName"/>).
/// </summary>
public static class ApiKeyOpenApi
{
    /// <summary>Adds the scheme to the document's components, once.</summary>
    public static void Declare(OpenApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Components?.SecuritySchemes?.ContainsKey(ApiKeyAuthenticationHandler.SchemeName) == true)
        {
            return;
        }
        // AddComponent also registers it in the document's workspace: a reference to a scheme that is only in the
        // components dictionary does not resolve, and the requirement is then written as an empty object.
        document.AddComponent<IOpenApiSecurityScheme>(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "SenderAuth API key (sa_…)",
            Description = "An API key, sent as Authorization: Bearer <key>. Operator keys are printed by the first `senderauth serve` "
                + "(or set with SENDERAUTH_OPERATOR_KEY); institution keys are issued under /api/v1/institutions/{code}/api-keys. "
                + "Each operation names the scope it needs (x-senderauth-scope).",
        });
    }

    /// <summary>The requirement an operation that needs a key carries.</summary>
    public static OpenApiSecurityRequirement Requirement(OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] };
}
