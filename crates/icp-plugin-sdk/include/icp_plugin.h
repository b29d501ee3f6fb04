/*
 * icp dynamic plugin ABI, version 1.
 *
 * A plugin is a shared library exporting one function, icp_plugin_entry_v1,
 * that returns a pointer to a static IcpPluginTable. Every other function
 * exchanges UTF-8 JSON in (ptr, len) buffers; the JSON shapes are those of
 * icp-plugin-sdk (Manifest, Account, PlannedRequest, Response, ParseResult,
 * Outcome, SourceError) and are documented in docs/plugins.md.
 *
 * Memory: inputs (IcpBytes) are lent by the host for the duration of the
 * call. Outputs (IcpOwned) are allocated by the plugin and released by the
 * host through the table's free function, once.
 *
 * The host may call the table's functions from several threads at once;
 * it always hands every output back to free, even {NULL, 0}.
 *
 * Each call returns ICP_OK (the output is the JSON result), ICP_ERROR (a
 * JSON SourceError, e.g. {"error": "malformed", "message": "..."}) or
 * ICP_PANICKED (a UTF-8 message). Nothing may unwind across these
 * functions. Plugins do no I/O: the host performs every request they plan.
 *
 * Kept in step with crates/icp-plugin-sdk/src/abi.rs (a test checks it).
 */
#ifndef ICP_PLUGIN_H
#define ICP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define ICP_ABI_VERSION 1
#define ICP_ENTRY_SYMBOL "icp_plugin_entry_v1"

#define ICP_OK 0
#define ICP_ERROR 1
#define ICP_PANICKED 2

typedef struct IcpBytes {
    const uint8_t *ptr;
    size_t len;
} IcpBytes;

typedef struct IcpOwned {
    uint8_t *ptr;
    size_t len;
} IcpOwned;

typedef struct IcpPluginTable {
    uint32_t abi_version;
    /* The icp-plugin-sdk semver the plugin follows, e.g. "0.1.0". */
    IcpBytes sdk_version;
    /* Writes the manifest. */
    int32_t (*manifest)(IcpOwned *out);
    /* accounts: JSON array of {"key": ...}; settings: JSON object.
       Writes a JSON array of planned requests. */
    int32_t (*plan)(IcpBytes accounts, IcpBytes settings, IcpOwned *out);
    /* request: one planned request; response: what the host got.
       Writes {"outcomes": {...}, "follow_ups": [...], "logs": [...]}. */
    int32_t (*parse)(IcpBytes request, IcpBytes response, IcpOwned *out);
    /* key: an account key (UTF-8); parts: JSON array of [request id, outcome].
       Writes one outcome. */
    int32_t (*combine)(IcpBytes key, IcpBytes parts, IcpOwned *out);
    /* Releases a buffer this plugin wrote. */
    void (*free)(IcpOwned buffer);
} IcpPluginTable;

/* The one exported function. */
const IcpPluginTable *icp_plugin_entry_v1(void);

#endif /* ICP_PLUGIN_H */
