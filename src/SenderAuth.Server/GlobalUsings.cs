// The server's feature folders use each other's types (a domain's keys, the caller's scope, the provider zone):
// their namespaces are listed once here rather than in every file, so moving a type between features is one edit.
global using SenderAuth.Server.Access;
global using SenderAuth.Server.Dashboard;
global using SenderAuth.Server.Domains;
global using SenderAuth.Server.Hosting;
global using SenderAuth.Server.Http;
global using SenderAuth.Server.Institutions;
global using SenderAuth.Server.Keys;
global using SenderAuth.Server.Milter;
global using SenderAuth.Server.Monitoring;
global using SenderAuth.Server.Publishing;
global using SenderAuth.Server.Reports;
global using SenderAuth.Server.Signing;
global using SenderAuth.Server.Webhooks;
global using SenderAuth.Store.Data;
global using SenderAuth.Store.Domains;
global using SenderAuth.Store.Hosting;
global using SenderAuth.Store.Reports;
global using SenderAuth.Store.Reports.Analysis;
global using SenderAuth.Store.Webhooks;
