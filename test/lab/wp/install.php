<?php
// Installs the blog as the web installer would, then publishes the lab's first posts and a comment.
define( 'WP_INSTALLING', true );
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$input = pra_lab_input();
pra_lab_fail_on_error(
	wp_install( $input['title'], 'admin', 'admin@example.test', true, '', $input['adminPassword'] ),
	'wp_install'
);
wp_set_current_user( 1 );
update_option( 'blogdescription', 'A self-hosted blog, with a cold standby' );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%year%/%monthnum%/%postname%/' );
$wp_rewrite->flush_rules( false );

$now = time();
// The blog has a history: the installer's "Hello world!" goes back a week, before the lab's posts.
$hello_gmt = gmdate( 'Y-m-d H:i:s', $now - 7 * 86400 );
pra_lab_fail_on_error(
	wp_update_post(
		array(
			'ID'            => 1,
			'post_date_gmt' => $hello_gmt,
			'post_date'     => get_date_from_gmt( $hello_gmt ),
		),
		true
	),
	'wp_update_post'
);

$count = count( $input['posts'] );
$ids   = array();
foreach ( $input['posts'] as $i => $post ) {
	$ids[] = pra_lab_insert_post( $post['title'], $post['content'], $now - ( $count - $i ) * 3600 );
}
$comment = pra_lab_insert_comment( $ids[0], $input['comment'] );
echo json_encode( array( 'posts' => $ids, 'comment' => $comment ) ), "\n";
