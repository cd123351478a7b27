"""Reports (issue 8): the campaign bulletin (简报) written from the records; dashboards and exports
come next. ``numbers.py`` writes figures as offices write them, ``bulletin.py`` gathers the figures
and composes the sentences, ``views.py`` shows the print layout, ``jobs.py`` sends it weekly."""
