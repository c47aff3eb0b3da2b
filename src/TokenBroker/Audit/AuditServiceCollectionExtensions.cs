using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Coordination;
using TokenBroker.Diagnostics;

namespace TokenBroker.Audit;

/// <summary>Registers the audit trail and its writer. Always on: there is no setting that turns it off.</summary>
internal static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddSingleton(sp => new AuditTrail(
            sp.GetRequiredService<IOptions<AuditOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<CoordinatedFetcher>().InstanceId,
            (sp.GetService<IRedactorProvider>() ?? NullRedactorProvider.Instance).GetRedactor(TokenBrokerTaxonomy.CallerIdentifier)));
        services.TryAddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        return services;
    }
}
