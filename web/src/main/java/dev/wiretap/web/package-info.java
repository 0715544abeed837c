/** The web UI: its server on the proxy's service API, the JSON and event API, and the browser assets it serves. */
package dev.wiretap.web;
