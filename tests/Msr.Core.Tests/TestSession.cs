using System.Runtime.CompilerServices;

namespace Msr.Core.Tests;

/// <summary>
/// Every temporary file of the test run goes under one session folder that is removed when the process exits,
/// and the dataset cache under it too (<c>MSR_CACHE</c>): tests never write to ~/.cache/msr or leave files behind.
/// </summary>
internal static class TestSession
{
    [ModuleInitializer]
    internal static void Isolate()
    {
        var session = Directory.CreateTempSubdirectory("msr-core-tests-").FullName;
        Environment.SetEnvironmentVariable("TMPDIR", session);
        Environment.SetEnvironmentVariable("MSR_CACHE", Path.Combine(session, "cache"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(session, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        };
    }
}
