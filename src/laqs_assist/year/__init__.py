"""The year view's domain: evidence for an LA by source (triangulation), its dashboard kept current, coverage of
the agenda, the next visit's plan, a school's page, the regional overview and actions across the year. Pure of any
front end; app/yearview.py is the way in for the front ends."""
