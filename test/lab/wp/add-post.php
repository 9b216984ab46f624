<?php
require __DIR__ . '/bootstrap.php';
$input = pra_lab_input();
// The administrator may store any HTML; without a user, kses would rewrite the content.
wp_set_current_user( 1 );
echo pra_lab_insert_post( $input['title'], $input['content'], time() ), "\n";
