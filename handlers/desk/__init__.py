"""/banlamviec (/desk): a one-time sign-in link to the Office's desk (bot/web/), in `entry`."""
