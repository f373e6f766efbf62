"""Reviews: buyers' reviews of products and sellers, moderation, helpful votes, ratings."""
