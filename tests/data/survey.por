ASCII SPSS PORT FILE                    ASCII SPSS PORT FILE                    
ASCII SPSS PORT FILE                    ASCII SPSS PORT FILE                    
ASCII SPSS PORT FILE                    0000000000000000000000000000000000000000
0000000000000000000000000123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst
uvwxyz .<(+|&[]!$*);^-/|,%_>?`:$@'="000000~-0000123456789000-()0{}\0000000000000
00000000000000000000000000000000000000000000000000000000SPSSPORTA8/202401016/000
0001E/GNU pspp 1.6.23J/x86_64-pc-linux-gnu47/5B/70/2/ID5/4/0/5/4/0/CP/Identifian
t du répondant70/7/SECTEUR5/1/0/5/1/0/88/89/C15/Secteur d'activité de l'entrep
rise70/6/SATISF5/2/0/5/2/0/B37/39/80/CK/Satisfaction globale73/6/METIER1/3/0/1/3
/0/83/NR CF/Métier exercé71A/8/COMMENTA1/1A/0/1/1A/0/CH/Commentaire libre70/5/
SCORE5/9/2/5/9/2/CP/Score d'engagement (0-20)70/5/POIDS5/9/4/5/9/4/CL/Poids de r
edressementD1/7/SECTEUR9/1/9/Industrie2/8/Commerce3/O/Services aux entreprises4/
H/Banque, assurance5/6/Santé6/N/Administration publique7/D/Autre secteur8/B/Ne 
sait pas9/5/RefusD1/6/SATISF6/0/J/Question non posée1/H/Très insatisfait2/J/Pl
utôt insatisfait3/I/Ni l'un ni l'autre4/H/Plutôt satisfait5/F/Très satisfaitD
1/6/METIER5/3/AUTD/Autre métier3/CDPE/Chef de projet3/DSI17/Directeur des syst�
�mes d'information3/MKT1B/Marketeur (cadre marketing ou publicité)3/NR E/Non re
nseignéF1/1/4/3/MKT1A/Très bonne équipe                     C.F/.OB23/2/3/5/3
/DSI1A/                                        F.MF/1.6/3/8/3/3/MKT1A/Ça dépen
d des projets                 9.7F/1.1F/4/2/38/3/CDP1A/                         
               *..SF/5/9/2/3/AUT1A/Délais à améliorer                   7/1.3
/6/5/0/3/NR 1A/                                        B/.L/7/6/1/3/MKT1A/Trop d
e réunions                       4.F/1.9/8/4/4/3/DSI1A/Outils modernes, équipe
 réactive      G.7F/.R/9/7/*.3/CDP1A/                                        D/
1/A/8/5/3/MKT1A/Rien à signaler                        I/1.4F/B/3/3/3/   1A/   
                                     A.F/.PF/C/2/37/3/DSI1A/Budget insuffisant  
                    8.MF/1.13RR/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ
