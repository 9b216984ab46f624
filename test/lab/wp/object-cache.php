<?php
/*
Plugin Name: Memcached
Description: Memcached backend for the WP Object Cache.
Version: 4.0.0
Author: Ryan Boren, Denis de Bernardy, Matt Martz, Andy Skelton

Install this file to wp-content/object-cache.php
*/

// The lab blog has no memcached: this drop-in gives up, and WordPress falls back to its own cache
// (wp_start_object_cache loads wp-includes/cache.php when wp_cache_init is not defined here).
if ( ! class_exists( 'Memcached' ) ) {
	return;
}
