using System.Diagnostics;
using Opsmon.Tests.Support;
using Tmds.DBus.Protocol;

namespace Opsmon.Tests.Integration;

/// <summary>One org.freedesktop.Notifications.Notify call as the notification server received it.</summary>
public sealed record NotifyCall(string AppName, string Summary, string Body, byte? Urgency);

/// <summary>
/// A private session bus (a real dbus-daemon on a socket in a temp folder) on which the test itself owns
/// org.freedesktop.Notifications, as a desktop's notification daemon does, and records every Notify call.
/// Without an owner notify-send stops with ServiceUnknown before it sends anything.
/// </summary>
public sealed class NotificationServer : IPathMethodHandler, IAsyncDisposable
{
    private const string ServiceName = "org.freedesktop.Notifications";
    private readonly List<NotifyCall> _calls = [];
    private readonly RunningProcess _daemon;
    private readonly DirectoryInfo _directory;
    private DBusConnection? _connection;
    private uint _lastId;

    private NotificationServer(RunningProcess daemon, DirectoryInfo directory, string address)
    {
        _daemon = daemon;
        _directory = directory;
        Address = address;
    }

    /// <summary>The bus address for DBUS_SESSION_BUS_ADDRESS.</summary>
    public string Address { get; }

    public string Path => "/org/freedesktop/Notifications";

    public bool HandlesChildPaths => false;

    public IReadOnlyList<NotifyCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Starts dbus-daemon, waits until it listens, and takes the notification service name on it.</summary>
    public static async Task<NotificationServer> StartAsync()
    {
        var dbusDaemon = Tools.Require("dbus-daemon");
        var directory = Directory.CreateTempSubdirectory("opsmon-dbus-");
        var address = $"unix:path={System.IO.Path.Combine(directory.FullName, "bus")}";
        var daemon = RunningProcess.Start(dbusDaemon, ["--session", $"--address={address}", "--nofork", "--print-address"]);
        var server = new NotificationServer(daemon, directory, address);
        try
        {
            // dbus-daemon prints its address once it listens.
            var clock = Stopwatch.StartNew();
            while (!daemon.Output.Contains("unix:path=", StringComparison.Ordinal))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new TimeoutException($"dbus-daemon did not print its address within 10s:\n{daemon.Output}");
                }

                await Task.Delay(20);
            }

            server._connection = new DBusConnection(address);
            await server._connection.ConnectAsync();
            server._connection.AddMethodHandler(server);
            await server._connection.RequestNameAsync(ServiceName, RequestNameOptions.None);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls the recorded calls until one matches, or fails after <paramref name="timeout"/> showing <paramref name="context"/>.</summary>
    public async Task<NotifyCall> WaitForAsync(Func<NotifyCall, bool> match, TimeSpan timeout, Func<string> context)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Calls.FirstOrDefault(match) is { } call)
            {
                return call;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching Notify call within {timeout}; calls: {string.Join("; ", Calls)}\n{context()}");
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        switch (request.InterfaceAsString, request.MemberAsString)
        {
            case (ServiceName, "Notify"):
                ReplyToNotify(context);
                break;
            case (ServiceName, "GetServerInformation"):
                using (var writer = context.CreateReplyWriter("ssss"))
                {
                    writer.WriteString("opsmon-test");
                    writer.WriteString("Opsmon");
                    writer.WriteString("1.0");
                    writer.WriteString("1.2");
                    context.Reply(writer.CreateMessage());
                }

                break;
            case (ServiceName, "GetCapabilities"):
                using (var writer = context.CreateReplyWriter("as"))
                {
                    writer.WriteArray(new[] { "body" });
                    context.Reply(writer.CreateMessage());
                }

                break;
            case ("org.freedesktop.DBus.Properties", "GetAll"):
                using (var writer = context.CreateReplyWriter("a{sv}"))
                {
                    writer.WriteDictionary(new Dictionary<string, VariantValue>());
                    context.Reply(writer.CreateMessage());
                }

                break;
            default:
                context.ReplyUnknownMethodError();
                break;
        }

        return ValueTask.CompletedTask;
    }

    // Notify(app_name s, replaces_id u, app_icon s, summary s, body s, actions as, hints a{sv}, expire_timeout i) -> id u
    private void ReplyToNotify(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        var appName = reader.ReadString();
        reader.ReadUInt32();
        reader.ReadString();
        var summary = reader.ReadString();
        var body = reader.ReadString();
        reader.ReadArrayOfString();
        var hints = reader.ReadDictionaryOfStringToVariantValue();
        reader.ReadInt32();
        byte? urgency = hints.TryGetValue("urgency", out var u) ? u.GetByte() : null;
        uint id;
        lock (_calls)
        {
            _calls.Add(new NotifyCall(appName, summary, body, urgency));
            id = ++_lastId;
        }

        using var writer = context.CreateReplyWriter("u");
        writer.WriteUInt32(id);
        context.Reply(writer.CreateMessage());
    }

    public async ValueTask DisposeAsync()
    {
        _connection?.Dispose();
        await _daemon.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
