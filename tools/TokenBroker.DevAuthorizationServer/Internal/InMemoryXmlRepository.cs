using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// Keeps ASP.NET Core Data Protection keys in memory. Nothing here protects data with them (OpenIddict
/// signs and encrypts with its own ephemeral keys), but the host still creates a key ring at start,
/// which would otherwise be written to the user's profile by every test server.
/// </summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly Lock _gate = new();
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return [.. _elements.Select(element => new XElement(element))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
