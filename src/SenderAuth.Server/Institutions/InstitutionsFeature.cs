namespace SenderAuth.Server.Institutions;

/// <summary>Institutions: the tenants, their unsigned-mail policy; endpoints only (the rows are the store's).</summary>
public static class InstitutionsFeature
{
    public static RouteGroupBuilder MapInstitutions(this RouteGroupBuilder api)
    {
        InstitutionEndpoints.Map(api);
        return api;
    }
}
