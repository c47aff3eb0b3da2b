using Microsoft.EntityFrameworkCore;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>The OpenIddict store: applications, scopes, authorizations and tokens, all in memory.</summary>
internal sealed class DevAuthorizationDbContext(DbContextOptions<DevAuthorizationDbContext> options) : DbContext(options);
