/* A stand-in for Windows' bcryptprimitives.dll, which Wine 8 (Debian 12's)
 * does not have: Rust's standard library (1.78 and later) takes its random
 * numbers from ProcessPrng there, so no Rust program for Windows starts
 * under that Wine without it. Built and found through WINEPATH by
 * scripts/test-windows.sh, and by hand as docs/cli.md says; real Windows and
 * newer Wine have the real one. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    /* RtlGenRandom takes a ULONG length: fill larger requests in pieces. */
    while (size > 0) {
        ULONG chunk = size > 0x40000000u ? 0x40000000u : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
