using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Opsmon.Collectors;
using Opsmon.Configuration;

namespace Opsmon.Commands;

/// <summary>Small pieces of wiring the commands share.</summary>
public static class Hosting
{
    public static ILogger StderrLogger(LogLevel minimum = LogLevel.Warning) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
        .CreateLogger("opsmon");

    public static CollectorContext CollectorContextFor(OpsmonConfig config, ILogger logger) =>
        new(config.Root, TimeProvider.System, config.CollectorOptions, logger);

    /// <summary>
    /// Why <paramref name="endpoint"/> cannot be listened on (in use, address not on this host, a privileged port),
    /// or null when a listener could bind it now. Binds as Kestrel does (address reuse on, so a port in TIME_WAIT is
    /// free) and lets go at once.
    /// </summary>
    public static string? ListenProblem(IPEndPoint endpoint)
    {
        if (endpoint.Port == 0)
        {
            return null;
        }

        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the address is already in use (another opsmon or exporter?)" : e.Message;
        }
    }

    /// <summary>Parses HOST:PORT (IPv4, [IPv6] or localhost); null with a reason when it is not one.</summary>
    public static IPEndPoint? ParseListen(string value, out string? error)
    {
        error = null;
        var text = value.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"--listen: '{value}' is not HOST:PORT (for example 127.0.0.1:9184 or [::1]:9184).";
            return null;
        }

        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            error = $"--listen: port '{text[(colon + 1)..]}' is not a number between 0 and 65535.";
            return null;
        }

        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            error = $"--listen: '{host}' is not an IP address (use 127.0.0.1, 0.0.0.0, ::1 or localhost).";
            return null;
        }

        return new IPEndPoint(address, port);
    }
}
