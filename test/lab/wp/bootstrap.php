<?php
// Loads WordPress for the lab's command-line helpers. The helpers must not make HTTP requests (the lab
// has no way out, and wp_install would probe the site for pretty permalinks), send mail or spawn cron.
function pra_lab_no_http() {
	return new WP_Error( 'pra_lab', 'no HTTP requests from the lab helpers' );
}
$GLOBALS['wp_filter'] = array(
	'pre_http_request' => array( 10 => array( array( 'function' => 'pra_lab_no_http', 'accepted_args' => 1 ) ) ),
	'pre_wp_mail'      => array( 10 => array( array( 'function' => '__return_false', 'accepted_args' => 1 ) ) ),
);
define( 'DISABLE_WP_CRON', true );
$_SERVER['HTTP_HOST']      = 'blog.example.test';
$_SERVER['SERVER_NAME']    = 'blog.example.test';
$_SERVER['SERVER_PORT']    = '80';
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require '/var/www/blog/wp-load.php';

/** The JSON document the lab wrote on stdin. */
function pra_lab_input() {
	$input = json_decode( stream_get_contents( STDIN ), true );
	if ( ! is_array( $input ) ) {
		fwrite( STDERR, "pra lab: expected a JSON object on stdin\n" );
		exit( 2 );
	}
	return $input;
}

function pra_lab_fail_on_error( $result, $what ) {
	if ( is_wp_error( $result ) || ! $result ) {
		fwrite( STDERR, "pra lab: $what failed: " . ( is_wp_error( $result ) ? $result->get_error_message() : 'false' ) . "\n" );
		exit( 1 );
	}
	return $result;
}

/** Publishes a post dated after every other one, so that "newest" is never a tie. */
function pra_lab_insert_post( $title, $content, $gmt_time ) {
	global $wpdb;
	$latest = $wpdb->get_var( "SELECT MAX(post_date_gmt) FROM {$wpdb->posts} WHERE post_type = 'post'" );
	if ( $latest && strtotime( $latest . ' UTC' ) >= $gmt_time ) {
		$gmt_time = strtotime( $latest . ' UTC' ) + 1;
	}
	$gmt = gmdate( 'Y-m-d H:i:s', $gmt_time );
	// wp_insert_post unslashes what it gets.
	$id  = wp_insert_post(
		wp_slash(
			array(
				'post_title'    => $title,
				'post_content'  => $content,
				'post_status'   => 'publish',
				'post_author'   => 1,
				'post_date_gmt' => $gmt,
				'post_date'     => get_date_from_gmt( $gmt ),
			)
		),
		true
	);
	pra_lab_fail_on_error( $id, 'wp_insert_post' );
	// Posts added in a burst end up dated a little ahead of the clock; a minute ahead, WordPress would
	// schedule them instead of publishing them.
	if ( 'future' === get_post_status( $id ) ) {
		wp_publish_post( $id );
	}
	return $id;
}

function pra_lab_insert_comment( $post_id, $text ) {
	// wp_insert_comment unslashes what it gets.
	$id = wp_insert_comment(
		wp_slash(
			array(
				'comment_post_ID'      => $post_id,
				'comment_content'      => $text,
				'comment_author'       => 'Lab Reader',
				'comment_author_email' => 'reader@example.test',
				'comment_approved'     => 1,
			)
		)
	);
	return pra_lab_fail_on_error( $id, 'wp_insert_comment' );
}
