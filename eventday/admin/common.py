"""What every organiser page shares: the edition it works on."""

# The organiser pages' edition, as every other page's.
from eventday.programme.models import edition_or_404 as edition_or_404
