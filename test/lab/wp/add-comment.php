<?php
require __DIR__ . '/bootstrap.php';
$input = pra_lab_input();
wp_set_current_user( 1 );
echo pra_lab_insert_comment( (int) $input['postId'], $input['text'] ), "\n";
