// The store's folders use each other's types (a report's domain, the import's metrics): listed once, as in the server.
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Logging;
global using SenderAuth.Store.Data;
global using SenderAuth.Store.Domains;
global using SenderAuth.Store.Hosting;
global using SenderAuth.Store.Reports;
global using SenderAuth.Store.Reports.Analysis;
global using SenderAuth.Store.Webhooks;
