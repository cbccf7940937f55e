/**
 * All settings (LensConfig, one @ConfigMapping; defaults in @WithDefault or application.properties, not both) and the
 * wiring that turns them into the other packages' objects (Settings). The only package that may know every other core
 * package; only the tools and the service (eval, api, app, cli, spark) may depend on it.
 */
package com.listinglens.config;
