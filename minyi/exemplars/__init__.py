"""Role models to learn from (对标学): the library, their materials and where they were shown."""
