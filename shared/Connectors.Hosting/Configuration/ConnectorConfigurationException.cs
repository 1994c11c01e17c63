namespace Connectors.Hosting.Configuration;

/// <summary>A configuration problem found at start-up; its message is shown to the operator as is.</summary>
public sealed class ConnectorConfigurationException(string message) : Exception(message);
