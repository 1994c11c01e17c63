using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Connectors.Testing.GitHub;

// Job logs behind signed blob links, and GitHub App installation tokens.
public sealed partial class GitHubEmulator
{
    private static string LogSignature(long jobId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"log-{jobId}")))[..16];

    private Reply BlobLog(string jobId, string signature)
    {
        lock (State.Gate)
        {
            var job = State.Repositories.SelectMany(r => r.Runs).SelectMany(r => r.Jobs).FirstOrDefault(j => j.Id.ToString(CultureInfo.InvariantCulture) == jobId);
            if (job is null || signature != LogSignature(job.Id))
            {
                return new Reply(403) { Text = "<Error><Code>AuthenticationFailed</Code></Error>", ContentType = "application/xml" };
            }

            return new Reply(200) { Text = job.Log, ContentType = "text/plain" };
        }
    }

    private Reply MintInstallationToken(string authorization, string installation)
    {
        const string doc = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        var parts = authorization[7..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        JsonObject header, payload;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
            payload = JsonNode.Parse(Base64Url(parts[1]))!.AsObject();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        var issuer = payload["iss"]?.ToString() ?? "";
        lock (State.Gate)
        {
            if (header["alg"]?.ToString() != "RS256" || !State.Apps.TryGetValue(issuer, out var app))
            {
                return Reply.Error(401, "'Issuer' claim ('iss') must be an Integer", doc);
            }

            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!app.PublicKey.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return Reply.Error(401, "A JSON web token could not be decoded", doc);
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var iat = payload["iat"]?.GetValue<long>() ?? 0;
            var exp = payload["exp"]?.GetValue<long>() ?? 0;
            if (exp <= now || exp - iat > 660 || iat > now + 60)
            {
                return Reply.Error(401, "'Expiration time' claim ('exp') is too far in the future", doc);
            }

            if (installation != app.InstallationId.ToString(CultureInfo.InvariantCulture))
            {
                return Reply.Error(404, "Not Found", doc);
            }

            app.TokensMinted++;
            var token = "ghs_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18));
            var expires = DateTimeOffset.UtcNow + app.TokenLifetime;
            State.Tokens[token] = new EmulatedToken("app-bot[bot]") { FineGrained = true, SeesPrivate = true, ExpiresAt = expires };
            return Reply.Ok(new JsonObject
            {
                ["token"] = token,
                ["expires_at"] = Iso(expires),
                ["permissions"] = new JsonObject { ["issues"] = "write", ["contents"] = "read", ["pull_requests"] = "write", ["actions"] = "read", ["metadata"] = "read" },
                ["repository_selection"] = "all",
            }, 201);
        }
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }
}
